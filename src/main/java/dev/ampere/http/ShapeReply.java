package dev.ampere.http;

import dev.ampere.config.Config;
import dev.ampere.changes.LogOffset;
import dev.ampere.shapecache.ShapeEvent;
import dev.ampere.shapecache.ShapeStatus;
import dev.ampere.shapecache.storage.ItemCursor;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.stack.Stack;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Answers one resolved shape request from storage (PROTOCOL.md §1.6–§1.9, §1.13): a snapshot chunk, or the log range
 * {@code (offset, chunk end]} followed by an up-to-date message when it reaches the shape's end, or, for a live
 * request with nothing new, a wait for the shape's next change. Bodies stream the stored JSON bytes as they are,
 * joined by commas, through a fixed-size buffer, so a response of any size takes constant memory.
 *
 * <p>Not thread-safe: one instance per request, on the request's thread.
 */
final class ShapeReply {
    private static final Duration SNAPSHOT_START_TIMEOUT = Duration.ofSeconds(30);
    private static final long SNAPSHOT_STALL_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final byte[] OPEN = {'['};
    private static final byte[] CLOSE = {']'};
    private static final Duration SSE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SSE_KEEPALIVE = Duration.ofSeconds(21);
    private static final byte[] SSE_DATA = "data: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] SSE_END = "\n\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] SSE_KEEPALIVE_COMMENT = ": keep-alive\n\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final Stack stack;
    private final Config config;
    private final ServerRequest req;
    private final ServerResponse res;
    private final ShapeRequest request;
    private final ShapeStatus shape;
    private final ShapeStorage storage;
    private final CacheHeaders.Config cache;

    ShapeReply(Stack stack, ServerRequest req, ServerResponse res, ShapeRequest request, ShapeStatus shape,
               CacheHeaders.Config cache) {
        this.stack = stack;
        this.config = stack.config();
        this.req = req;
        this.res = res;
        this.request = request;
        this.shape = shape;
        this.storage = shape.storage();
        this.cache = cache;
    }

    void send() throws Exception {
        try {
            dispatch();
        } catch (IllegalStateException | IOException e) {
            // Storage refuses reads of a deleted shape; a reader that raced the removal gets the rotation.
            if (!shape.isRemoved()) throw e;
            if (!res.isSent()) mustRefetchAfterRotation();
        }
    }

    private void dispatch() throws Exception {
        switch (request.offset()) {
            case RequestedOffset.Now n -> controlOnly(shape.latestOffset(), false);
            case RequestedOffset.At(LogOffset from) -> {
                if (from.isBeforeAll()) snapshotChunk(0);
                else if (from.isSnapshot() && from.op() < Integer.MAX_VALUE - 1) afterSnapshotChunk((int) from.op());
                else if (from.isSnapshot()) log(LogOffset.LAST_BEFORE_REAL_OFFSETS); // no snapshot has that many chunks
                else log(from);
            }
        }
    }

    private void afterSnapshotChunk(int k) throws Exception {
        long deadline = System.nanoTime() + SNAPSHOT_STALL_NANOS;
        while (true) {
            long version = storage.changeVersion();
            ShapeStorage.SnapshotState state = storage.snapshotState();
            if (state.chunksStarted() > k + 1) {
                snapshotChunk(k + 1);
                return;
            }
            if (state.complete()) {
                log(LogOffset.LAST_BEFORE_REAL_OFFSETS);
                return;
            }
            if (shape.isRemoved()) {
                ShapeResponses.mustRefetch(res, "GET", java.util.Optional.empty(), cache);
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                ShapeResponses.unavailable(res, "GET", "Timed out waiting for the shape's snapshot", 5, cache);
                return;
            }
            storage.awaitChange(version, Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
        }
    }

    private void snapshotChunk(int k) throws Exception {
        if (k == 0) {
            try {
                shape.awaitSnapshotStart(SNAPSHOT_START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                ShapeResponses.unavailable(res, "GET", "Timed out waiting for the shape's snapshot to start", 5, cache);
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (shape.isRemoved()) {
                    ShapeResponses.mustRefetch(res, "GET", java.util.Optional.empty(), cache);
                } else {
                    ShapeResponses.unavailable(res, "GET", "Could not take the shape's snapshot: "
                            + e.getCause().getMessage(), 10, cache);
                }
                return;
            }
        }
        LogOffset chunk = LogOffset.snapshotChunk(k);
        String etag = ETag.unquoted(shape.handle(), request.offset(), chunk.toString(), null);
        headers(chunk, false, true, etag);
        if (notModified(etag)) return;
        try (OutputStream out = body(); ItemCursor cursor = storage.readSnapshotChunk(k)) {
            out.write(OPEN);
            boolean first = true;
            long deadline = System.nanoTime() + SNAPSHOT_STALL_NANOS;
            while (true) {
                long version = storage.changeVersion();
                ItemCursor.Step step = cursor.advance();
                if (step == ItemCursor.Step.END) break;
                if (step == ItemCursor.Step.NOT_YET) {
                    if (shape.isRemoved()) throw new IOException("the shape was removed while its snapshot was read");
                    out.flush();
                    if (!storage.awaitChange(version, Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                            && System.nanoTime() > deadline) {
                        throw new IOException("the snapshot of " + shape.handle() + " stalled");
                    }
                    continue;
                }
                if (!first) out.write(',');
                cursor.writeJsonTo(out);
                first = false;
            }
            out.write(CLOSE);
        }
    }

    private void log(LogOffset from) throws Exception {
        if (request.live() && request.liveSse()) {
            sse(from);
            return;
        }
        LogOffset latest = shape.latestOffset();
        if (from.isAfter(latest)) {
            if (!waitForChange(config.longPollTimeout().dividedBy(2), from)) {
                ShapeResponses.invalid(res, "GET", RequestErrors.of("offset", "out of bounds for this shape"), cache);
                return;
            }
            latest = shape.latestOffset();
        }
        if (request.live() && !from.isBefore(latest)) {
            switch (holdUntilChange(from)) {
                case ShapeEvent.Rotated r -> {
                    mustRefetchAfterRotation();
                    return;
                }
                case null -> {
                    controlOnly(from, true);
                    return;
                }
                default -> latest = shape.latestOffset();
            }
        }
        LogOffset chunkEnd = from.isBefore(latest) ? min(storage.chunkEnd(from), latest) : latest;
        boolean upToDate = !chunkEnd.isBefore(latest);
        boolean empty = !from.isBefore(chunkEnd);
        if (empty) {
            controlOnly(chunkEnd, false);
            return;
        }
        String etag = ETag.unquoted(shape.handle(), request.offset(), chunkEnd.toString(), null);
        headers(chunkEnd, upToDate, true, etag);
        if (notModified(etag)) return;
        try (OutputStream out = body(); ItemCursor cursor = storage.readLog(from, chunkEnd)) {
            out.write(OPEN);
            boolean first = true;
            while (cursor.advance() == ItemCursor.Step.ITEM) {
                if (!first) out.write(',');
                cursor.writeJsonTo(out);
                first = false;
            }
            if (upToDate) {
                if (!first) out.write(',');
                out.write(ControlMessages.upToDate(lastSeenLsn(chunkEnd)));
            }
            out.write(CLOSE);
        }
    }

    /**
     * A body with only the up-to-date message: nothing new (or {@code offset=now}). A live one gets a unique ETag, so
     * no cache can ever revalidate an empty live response; a catch-up one can be revalidated like any other.
     */
    private void controlOnly(LogOffset offset, boolean timedOut) throws IOException {
        String etag = ETag.unquoted(shape.handle(), request.offset(), offset.toString(),
                request.live() ? System.nanoTime() : null);
        headers(offset, true, false, etag);
        if (!request.live() && notModified(etag)) return;
        try (OutputStream out = body()) {
            out.write(OPEN);
            out.write(ControlMessages.upToDate(lastSeenLsn(offset)));
            out.write(CLOSE);
        }
    }

    /**
     * Live updates as Server-Sent Events (PROTOCOL.md §1.10): each log item as a {@code data:} event, an up-to-date
     * after each batch, a keep-alive comment after {@link #SSE_KEEPALIVE} of silence, and the end of the stream after
     * {@link #SSE_TIMEOUT} or when the shape is rotated (the client reconnects and learns why).
     */
    private void sse(LogOffset from) throws Exception {
        res.status(200);
        res.header("content-type", "text/event-stream");
        res.header("connection", "keep-alive");
        res.header("electric-handle", shape.handle());
        res.header("electric-offset", from.toString());
        res.header("electric-cursor", LongPollCursor.next(Instant.now(), config.longPollTimeout().toMillis(),
                request.cursor().orElse(null), ThreadLocalRandom.current()));
        ShapeResponses.cacheHeaders(res, new CacheHeaders.Response("GET", 200, false, true, true, false, false), cache);
        long deadline = System.nanoTime() + SSE_TIMEOUT.toNanos();
        LogOffset cursor = from;
        try (OutputStream out = body()) {
            while (true) {
                LogOffset latest = shape.latestOffset();
                if (cursor.isBefore(latest)) {
                    LogOffset chunkEnd = min(storage.chunkEnd(cursor), latest);
                    try (ItemCursor items = storage.readLog(cursor, chunkEnd)) {
                        while (items.advance() == ItemCursor.Step.ITEM) {
                            out.write(SSE_DATA);
                            items.writeJsonTo(out);
                            out.write(SSE_END);
                        }
                    }
                    cursor = chunkEnd;
                    if (!cursor.isBefore(latest)) {
                        out.write(SSE_DATA);
                        out.write(ControlMessages.upToDate(cursor.tx()));
                        out.write(SSE_END);
                    }
                    out.flush();
                    continue;
                }
                long now = System.nanoTime();
                if (now >= deadline) return;
                ShapeEvent e = awaitEvent(Math.min(deadline, now + SSE_KEEPALIVE.toNanos()), cursor);
                if (e instanceof ShapeEvent.Rotated) return;
                if (e == null && System.nanoTime() < deadline) {
                    out.write(SSE_KEEPALIVE_COMMENT);
                    out.flush();
                }
            }
        }
    }

    private long lastSeenLsn(LogOffset offset) {
        long tx = offset.tx();
        if (request.live()) return tx;
        long global = stack.lastSeenLsn();
        return Long.compareUnsigned(global, tx) > 0 ? global : tx;
    }

    /** Waits for the shape to pass {@code from}; the subscription precedes the check so nothing slips between. */
    private boolean waitForChange(Duration timeout, LogOffset from) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (from.isAfter(shape.latestOffset())) {
            ShapeEvent e = awaitEvent(deadline, from);
            if (e == null || e instanceof ShapeEvent.Rotated) return false;
        }
        return true;
    }

    /** For a live request at the end: the next change past {@code from}, a rotation, or null on timeout. */
    private ShapeEvent holdUntilChange(LogOffset from) throws InterruptedException {
        long deadline = System.nanoTime() + config.longPollTimeout().toNanos();
        while (true) {
            ShapeEvent e = awaitEvent(deadline, from);
            if (!(e instanceof ShapeEvent.NewChanges) || shape.latestOffset().isAfter(from)) return e;
        }
    }

    private ShapeEvent awaitEvent(long deadline, LogOffset from) throws InterruptedException {
        CompletableFuture<ShapeEvent> next = new CompletableFuture<>();
        try (var sub = stack.shapeSubscriptions().subscribe(shape.handle(), e -> next.complete((ShapeEvent) e))) {
            if (shape.isRemoved()) return new ShapeEvent.Rotated();
            if (shape.latestOffset().isAfter(from)) return new ShapeEvent.NewChanges(shape.latestOffset());
            long left = deadline - System.nanoTime();
            if (left <= 0) return null;
            return next.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The shape went away while the request waited. No new handle is offered: the shape's definition may be what
     * changed (a schema change), so the client's next request builds it again from the current table.
     */
    private void mustRefetchAfterRotation() {
        ShapeResponses.mustRefetch(res, "GET", java.util.Optional.empty(), cache);
    }

    private void headers(LogOffset offset, boolean upToDate, boolean hasData, String etag) {
        res.status(200);
        res.header("content-type", ShapeResponses.JSON);
        res.header("electric-handle", shape.handle());
        res.header("electric-offset", offset.toString());
        res.header("electric-has-data", Boolean.toString(hasData));
        if (upToDate) res.header("electric-up-to-date", "");
        if (!request.live()) {
            res.header("electric-schema", SchemaHeader.of(shape.definition().table(), shape.definition().columns()));
        } else {
            res.header("electric-cursor", LongPollCursor.next(Instant.now(), config.longPollTimeout().toMillis(),
                    request.cursor().orElse(null), ThreadLocalRandom.current()));
        }
        res.header("etag", "\"" + etag + "\"");
        boolean beforeAll = request.offset().isBeforeAll();
        ShapeResponses.cacheHeaders(res, new CacheHeaders.Response("GET", 200, beforeAll, request.live(), false,
                false, false), cache);
    }

    private boolean notModified(String etag) {
        List<String> ifNoneMatch = req.headers().all(HeaderNames.IF_NONE_MATCH, List::of);
        if (ifNoneMatch.isEmpty() || !ETag.matches(ifNoneMatch, etag)) return false;
        res.status(304);
        res.send();
        return true;
    }

    private OutputStream body() {
        return new BufferedOutputStream(res.outputStream(), 64 * 1024);
    }

    private static LogOffset min(LogOffset a, LogOffset b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
