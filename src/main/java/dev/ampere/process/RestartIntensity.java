package dev.ampere.process;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * At most {@code maxRestarts} restarts within a sliding {@code window}; one more means the children cannot be
 * kept up and the supervisor gives up, escalating to its own parent.
 *
 * <p>Not thread-safe: owned by the supervisor's thread.
 */
final class RestartIntensity {
    private final int maxRestarts;
    private final long windowNanos;
    private final ArrayDeque<Long> restarts = new ArrayDeque<>();

    RestartIntensity(int maxRestarts, Duration window) {
        this.maxRestarts = maxRestarts;
        this.windowNanos = window.toNanos();
    }

    /** Records a restart at {@code nowNanos}; false when it exceeds the allowed intensity. */
    boolean allow(long nowNanos) {
        restarts.addLast(nowNanos);
        while (!restarts.isEmpty() && nowNanos - restarts.peekFirst() > windowNanos) restarts.removeFirst();
        return restarts.size() <= maxRestarts;
    }
}
