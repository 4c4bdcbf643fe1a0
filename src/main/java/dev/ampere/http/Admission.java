package dev.ampere.http;

import dev.ampere.config.RequestLimits;
import dev.ampere.shapecache.ShapeDirectory;
import dev.ampere.shapes.ShapeState;
import io.helidon.webserver.http.ServerResponse;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control for shape requests (docs/protocol.md §1.15), as Electric 1.6.7+ does it: two counters of
 * requests in flight, {@code initial} (no handle, or a handle this node does not know) and {@code existing}
 * (everything else), bounded by {@code ELECTRIC_MAX_CONCURRENT_REQUESTS}. A request over its bound is answered 503
 * with {@code retry-after} 6–10 s at random, before any shape or snapshot work: the decision is one map lookup and
 * one atomic increment.
 *
 * <p>An {@code initial} permit is held until the shape's snapshot has started (its first row is stored, or it is
 * known empty), so the requests waiting for snapshots, and thus the snapshots queued for the pool, are bounded by
 * the {@code initial} limit; it is then exchanged for an {@code existing} one while the body is sent. A live request
 * holds its {@code existing} permit while it waits, as in Electric; that wait ends at the long-poll timeout (or the
 * SSE timeout), so a parked request never holds a permit longer than that.
 *
 * <p>Thread-safe: the counters are atomics shared by all request threads; a {@link Permit} belongs to one request
 * and its thread.
 */
final class Admission {
    private static final long SNAPSHOT_START_NANOS = TimeUnit.SECONDS.toNanos(30);

    enum Kind {
        INITIAL("initial"), EXISTING("existing");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private final RequestLimits limits;
    private final HttpMetrics metrics;
    private final AtomicInteger initial = new AtomicInteger();
    private final AtomicInteger existing = new AtomicInteger();

    Admission(RequestLimits limits) {
        this(limits, HttpMetrics.NONE);
    }

    Admission(RequestLimits limits, HttpMetrics metrics) {
        this.limits = limits;
        this.metrics = metrics;
    }

    /** The request's kind: {@code existing} only when it names a handle this node serves. */
    static Kind kindOf(Optional<String> handle, ShapeDirectory shapes) {
        return handle.isPresent() && shapes.byHandle(handle.get()).isPresent() ? Kind.EXISTING : Kind.INITIAL;
    }

    /** A permit of that kind, or empty when its bucket is full. */
    Optional<Permit> tryAcquire(Kind kind) {
        if (!take(kind)) return Optional.empty();
        return Optional.of(new Permit(kind));
    }

    /** Requests in flight of a kind. */
    int inFlight(Kind kind) {
        return counter(kind).get();
    }

    int limit(Kind kind) {
        return kind == Kind.INITIAL ? limits.initial() : limits.existing();
    }

    /** The 503 of a rejected request: Electric's body, {@code retry-after} 5 s plus 1–5 s of jitter, never cached. */
    void reject(ServerResponse res, String method, Kind kind, CacheHeaders.Config cache) {
        metrics.admissionRejected(kind.label);
        res.header("retry-after", Integer.toString(retryAfterSeconds()));
        ShapeResponses.json(res, method, 503, ErrorBodies.concurrentRequestLimitExceeded(kind.label, limit(kind)), cache);
    }

    /** 5 plus 1 to 5 at random, so that rejected clients do not come back together. */
    static int retryAfterSeconds() {
        return 5 + ThreadLocalRandom.current().nextInt(1, 6);
    }

    private AtomicInteger counter(Kind kind) {
        return kind == Kind.INITIAL ? initial : existing;
    }

    private boolean take(Kind kind) {
        AtomicInteger c = counter(kind);
        if (c.incrementAndGet() > limit(kind)) {
            c.decrementAndGet();
            return false;
        }
        return true;
    }

    /** One request's permit; released once by {@link #close()}, on every exit path. Confined to its request thread. */
    final class Permit implements AutoCloseable {
        private Kind kind;
        private boolean released;

        private Permit(Kind kind) {
            this.kind = kind;
        }

        Kind kind() {
            return kind;
        }

        /**
         * For an {@code initial} permit: waits (at most 30 s) until the shape's snapshot has started or the shape has
         * ended, then moves the permit to {@code existing}, if that bucket has room (else it stays {@code initial},
         * as in Electric).
         */
        void snapshotStarted(ShapeState shape) throws InterruptedException {
            if (kind != Kind.INITIAL || released) return;
            long deadline = System.nanoTime() + SNAPSHOT_START_NANOS;
            while (true) {
                long seen = shape.version();
                if (shape.snapshot() != ShapeState.Snapshot.PENDING || shape.hasEnded()) break;
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                shape.awaitChange(seen, left);
            }
            if (take(Kind.EXISTING)) {
                initial.decrementAndGet();
                kind = Kind.EXISTING;
            }
        }

        @Override
        public void close() {
            if (released) return;
            released = true;
            counter(kind).decrementAndGet();
        }
    }
}
