package dev.ampere.postgres;

import java.time.Duration;

/**
 * Exponential reconnection delay: 1 s, 2 s, 4 s, 8 s, then 10 s for every further attempt (docs/protocol.md §3.1).
 *
 * <p>Not thread-safe: owned by the process that reconnects.
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private Duration next;

    public Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
        this.next = initial;
    }

    public static Backoff standard() {
        return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    /** The delay before the next attempt; each call doubles the following one, up to the maximum. */
    public Duration next() {
        Duration d = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return d;
    }

    public void reset() {
        next = initial;
    }
}
