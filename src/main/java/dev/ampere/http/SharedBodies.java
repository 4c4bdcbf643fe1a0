package dev.ampere.http;

import dev.ampere.changes.LogOffset;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;

/**
 * Live responses shared by the requests that wait on the same shape at the same offset (docs/protocol.md §1.9):
 * when a change wakes 200 long-polls of one shape, the first builds the body from the log and the other 199 copy
 * its bytes. A live body is a pure function of (handle, requested offset, chunk end): the items in between and an
 * up-to-date carrying the chunk end's LSN. Entries live for {@link #TTL_NANOS}, long enough for every woken request
 * to find them; the map is swept as it grows.
 *
 * <p>Thread-safe: request threads race on {@link #get}; exactly one of them computes each body.
 */
final class SharedBodies {
    static final long TTL_NANOS = 5_000_000_000L;
    private static final int SWEEP_AT = 1_024;

    private record Key(String handle, LogOffset from, LogOffset chunkEnd) {}

    private record Entry(CompletableFuture<byte[]> body, long created) {}

    /** Builds a body; returns null when it is too large to share (the request then streams its own). */
    @FunctionalInterface
    interface Builder {
        byte[] build() throws Exception;
    }

    private final ConcurrentMap<Key, Entry> bodies = new ConcurrentHashMap<>();

    /** The shared body, built by {@code builder} if no other request has; null when it is not shareable. */
    byte[] get(String handle, LogOffset from, LogOffset chunkEnd, Builder builder) throws Exception {
        long now = System.nanoTime();
        if (bodies.size() >= SWEEP_AT) sweep(now);
        Key key = new Key(handle, from, chunkEnd);
        Entry mine = new Entry(new CompletableFuture<>(), now);
        Entry existing = bodies.putIfAbsent(key, mine);
        if (existing != null && now - existing.created() < TTL_NANOS) {
            try {
                return existing.body().get();
            } catch (ExecutionException e) {
                // the builder failed; this request tries for itself below
            }
        }
        if (existing != null) bodies.replace(key, existing, mine);
        try {
            byte[] body = builder.build();
            mine.body().complete(body);
            return body;
        } catch (Exception e) {
            bodies.remove(key, mine);
            mine.body().completeExceptionally(e);
            throw e;
        }
    }

    private void sweep(long now) {
        bodies.values().removeIf(e -> now - e.created() >= TTL_NANOS);
    }
}
