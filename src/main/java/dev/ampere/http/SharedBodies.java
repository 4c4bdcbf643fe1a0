package dev.ampere.http;

import dev.ampere.changes.LogOffset;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

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
    /**
     * Live bodies up to this size are shared. A live body holds one transaction's items or less (up to the chunk
     * end), so this covers all but exceptional transactions; a larger one is streamed by each request itself.
     */
    static final int SHARE_LIMIT = 16 * 1024 * 1024;
    /** Bytes the map may hold at once; past it, a new body serves the requests already waiting on it and no later one. */
    static final long HELD_BUDGET = 64L * 1024 * 1024;
    private static final int SWEEP_AT = 1_024;

    private record Key(String handle, LogOffset from, LogOffset chunkEnd) {}

    private record Entry(CompletableFuture<byte[]> body, long created) {}

    /** Builds a body; returns null when it is too large to share (the request then streams its own). */
    @FunctionalInterface
    interface Builder {
        byte[] build() throws Exception;
    }

    private final ConcurrentMap<Key, Entry> bodies = new ConcurrentHashMap<>();
    private final AtomicLong held = new AtomicLong();

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
            boolean keep = body != null && fits(body.length);
            mine.body().complete(body);
            if (keep) held.addAndGet(body.length);
            else if (body != null) bodies.remove(key, mine); // it still serves the requests already waiting on it
            return body;
        } catch (Exception e) {
            bodies.remove(key, mine);
            mine.body().completeExceptionally(e);
            throw e;
        }
    }

    /** Thrown by {@link BoundedBuffer} when a body passes {@link #SHARE_LIMIT}. */
    static final class TooLarge extends RuntimeException {
        TooLarge() {
            super("a live body larger than " + SHARE_LIMIT + " bytes", null, false, false);
        }
    }

    /** An in-memory body that refuses to grow past {@link #SHARE_LIMIT}. */
    static final class BoundedBuffer extends ByteArrayOutputStream {
        BoundedBuffer() {
            super(1024);
        }

        @Override
        public void write(int b) {
            if (count + 1 > SHARE_LIMIT) throw new TooLarge();
            super.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (count + len > SHARE_LIMIT) throw new TooLarge();
            super.write(b, off, len);
        }
    }

    private boolean fits(int length) {
        if (held.get() + length <= HELD_BUDGET) return true;
        sweep(System.nanoTime());
        return held.get() + length <= HELD_BUDGET;
    }

    /** Drops expired entries and recounts the bytes held (the running count is only an estimate between sweeps). */
    private void sweep(long now) {
        bodies.values().removeIf(e -> now - e.created() >= TTL_NANOS);
        long sum = 0;
        for (Entry e : bodies.values()) {
            CompletableFuture<byte[]> f = e.body();
            if (f.isDone() && !f.isCompletedExceptionally() && f.getNow(null) != null) sum += f.getNow(null).length;
        }
        held.set(sum);
    }
}
