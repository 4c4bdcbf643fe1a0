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
 * to find them; the map is swept as it grows. The gzip form of a shared body is made once too, by the first request
 * that accepts it ({@link Body#gzip}), and shared the same way (docs/protocol.md §1.16).
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

    private record Entry(CompletableFuture<Body> body, long created) {}

    /**
     * One shared live body: its bytes, and their gzip form once a request that accepts gzip asked for it.
     * Thread-safe: the first caller of {@link #gzip} compresses, the others wait for it and get the same array.
     */
    static final class Body {
        private final byte[] identity;
        private final AtomicLong held;
        private byte[] gzip; // guarded by this

        private Body(byte[] identity, AtomicLong held) {
            this.identity = identity;
            this.held = held;
        }

        byte[] identity() {
            return identity;
        }

        synchronized byte[] gzip() {
            if (gzip == null) {
                gzip = Gzip.compress(identity, 0, identity.length);
                held.addAndGet(gzip.length);
            }
            return gzip;
        }

        private synchronized long bytes() {
            return identity.length + (gzip == null ? 0 : gzip.length);
        }
    }

    /** Builds a body; returns null when it is too large to share (the request then streams its own). */
    @FunctionalInterface
    interface Builder {
        byte[] build() throws Exception;
    }

    private final ConcurrentMap<Key, Entry> bodies = new ConcurrentHashMap<>();
    private final AtomicLong held = new AtomicLong();

    /** The shared body, built by {@code builder} if no other request has; null when it is not shareable. */
    Body get(String handle, LogOffset from, LogOffset chunkEnd, Builder builder) throws Exception {
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
            byte[] bytes = builder.build();
            Body body = bytes == null ? null : new Body(bytes, held);
            boolean keep = body != null && fits(bytes.length);
            mine.body().complete(body);
            if (keep) held.addAndGet(bytes.length);
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
            CompletableFuture<Body> f = e.body();
            if (f.isDone() && !f.isCompletedExceptionally() && f.getNow(null) != null) sum += f.getNow(null).bytes();
        }
        held.set(sum);
    }
}
