package dev.ampere.metrics;

import java.util.function.Supplier;

/**
 * A figure that costs something to read (a query, a directory walk), read at most once per {@code maxAgeNanos}
 * however many gauges and scrapes ask for it.
 *
 * <p>Thread-safe: readers serialise on this object while it is read.
 */
final class CachedFigure<T> {
    private final Supplier<T> source;
    private final long maxAgeNanos;
    private T value;
    private long readAt;
    private boolean read;

    CachedFigure(Supplier<T> source, long maxAgeNanos) {
        this.source = source;
        this.maxAgeNanos = maxAgeNanos;
    }

    synchronized T get() {
        long now = System.nanoTime();
        if (!read || now - readAt > maxAgeNanos) {
            value = source.get();
            readAt = now;
            read = true;
        }
        return value;
    }
}
