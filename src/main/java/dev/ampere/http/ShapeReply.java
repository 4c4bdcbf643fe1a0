package dev.ampere.http;

import dev.ampere.changes.LogOffset;
import dev.ampere.config.Config;
import dev.ampere.replication.ReplicationProgress;
import dev.ampere.shapecache.storage.ItemCursor;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.StoredCopy;
import dev.ampere.shapecache.ShapeDirectory;
import dev.ampere.shapes.ShapeState;
import dev.ampere.shapes.SnapshotFailure;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Answers one resolved shape request from storage (docs/protocol.md §1.6–§1.10, §1.13): a snapshot chunk, or the log
 * range {@code (offset, chunk end]} followed by an up-to-date message when it reaches the shape's end, or, for a
 * live request with nothing new, a wait for the shape's next change.
 *
 * <p>Whole or visibly failed: status and headers are set only once the body's source is ready (the snapshot has
 * produced its first row or is known empty; the log range is known), and bodies go through a {@link ResponseBody},
 * so a failure after the first byte aborts the connection instead of ending the body. Every wait is on the shape's
 * one primitive ({@link ShapeState#awaitChange}). Live bodies are shared by the requests waiting at the same offset
 * ({@link SharedBodies}): one log read and one encoding per wake-up, however many clients wait.
 *
 * <p>Not thread-safe: one instance per request, on the request's thread.
 */
final class ShapeReply implements ShapeRoutes.Reply {
    private static final long SNAPSHOT_START_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long SNAPSHOT_STALL_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long SSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long SSE_KEEPALIVE_NANOS = TimeUnit.SECONDS.toNanos(21);
    private static final byte[] SSE_DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SSE_END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SSE_KEEPALIVE_COMMENT = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    /** The headers {@link #headers} sets; taken back when a body fails before anything was sent. */
    private static final List<String> SUCCESS_HEADERS = List.of("content-type", "electric-handle", "electric-offset",
            "electric-has-data", "electric-up-to-date", "electric-schema", "electric-cursor", "etag", "cache-control",
            "surrogate-control", "content-encoding");

    /** What every reply needs from the server; built once by the routes. */
    record Deps(Config config, CacheHeaders.Config cache, ReplicationProgress progress, SharedBodies shared,
                ShapeResumption resumption, CompressedChunks compressed, ShapeDirectory shapes) {}

    /** The shape was suspended and the stack did not come back within the request's time. */
    private static final class StackDown extends Exception {
        StackDown(String message) {
            super(message, null, false, false);
        }
    }

    /** The shape ended (or its storage went) while the reply was being prepared or sent. */
    private static final class ShapeGone extends Exception {
        ShapeGone() {
            super("the shape was removed", null, false, false);
        }
    }

    private final Deps deps;
    private final String method;
    private final ServerRequest req;
    private final ServerResponse res;
    private final ShapeRequest request;
    /** The body may go gzip-compressed: compression is on and the request accepts it (docs/protocol.md §1.16). */
    private final boolean gzip;
    private ShapeState shape;      // replaced only when a suspended shape is recovered (see awaitPast)
    private ShapeStorage storage;
    /** The live wait ran in {@link #send} and timed out: {@link #log} answers up-to-date without waiting again. */
    private boolean liveWaitTimedOut;

    /** {@code method} is the request's (GET, HEAD or POST); it decides cache headers (docs/protocol.md §1.8). */
    ShapeReply(Deps deps, String method, ServerRequest req, ServerResponse res, ShapeRequest request, ShapeState shape) {
        this.deps = deps;
        this.method = method;
        this.req = req;
        this.res = res;
        this.request = request;
        this.gzip = deps.config().compression() && Gzip.accepted(req);
        this.shape = shape;
        this.storage = shape.storage();
    }

    @Override
    public void send() throws Exception {
        try {
            awaitAtLiveEdge();
            dispatch();
        } catch (ShapeGone e) {
            mustRefetch();
        } catch (StackDown e) {
            if (!res.isSent()) ShapeResponses.unavailable(res, "GET", e.getMessage(), 5, deps.cache());
        } catch (IllegalStateException | IOException e) {
            // Storage refuses reads of a deleted shape: a reader that raced the removal gets the rotation. A shape
            // that was only suspended (its stack restarting: a Postgres restart, say) is not gone: its storage closed
            // under this read and the recovered shape will serve the same request, so the client is told to retry.
            if (!shape.hasEnded()) throw e;
            if (shape.isSuspended() && !res.isSent()) {
                for (String name : SUCCESS_HEADERS) res.headers().remove(HeaderNames.create(name));
                ShapeResponses.unavailable(res, method, "The shape is being recovered, try again", 1, deps.cache());
                return;
            }
            mustRefetch();
        }
    }

    /**
     * A long-poll at the shape's latest offset (the common case: most connections of a busy server are parked
     * there) waits here, before the reply is worked out, rather than deep inside {@link #log}: a parked request's
     * stack is kept on the heap while it waits, and this keeps it a few frames shorter. What the wait learns is
     * left for {@link #log}, which then serves what arrived or, after a timeout, the up-to-date message.
     */
    private void awaitAtLiveEdge() throws Exception {
        if (!request.live() || request.liveSse()) return;
        if (!(request.offset() instanceof RequestedOffset.At(LogOffset from)) || from.isBeforeAll() || from.isSnapshot()) {
            return;
        }
        LogOffset latest = shape.latestOffset();
        if (from.isBefore(latest) || from.isAfter(latest)) return;
        liveWaitTimedOut = awaitPast(from, deps.config().longPollTimeout().toNanos(), false) == null;
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

    // ---- snapshot ----

    /** Waits for the snapshot to be servable; false when a response (error, 409, 503) was sent instead. */
    private boolean awaitSnapshotReady() throws Exception {
        long deadline = System.nanoTime() + SNAPSHOT_START_NANOS;
        while (true) {
            long version = shape.version();
            switch (shape.snapshot()) {
                case READY -> {
                    return true;
                }
                case FAILED -> {
                    snapshotFailed(shape.failure());
                    return false;
                }
                case PENDING -> { }
            }
            if (shape.hasEnded()) throw new ShapeGone();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                ShapeResponses.unavailable(res, method, "Timed out waiting for the shape's snapshot to start", 5,
                        deps.cache());
                return false;
            }
            shape.awaitChange(version, left);
        }
    }

    private void snapshotFailed(SnapshotFailure f) throws ShapeGone {
        switch (f.kind()) {
            case INVALID_QUERY -> ShapeResponses.invalid(res, method, RequestErrors.of("where", f.message()), deps.cache());
            case SCHEMA_CHANGED -> throw new ShapeGone();
            case UNAVAILABLE -> {
                res.header("electric-internal-known-error", "true");
                ShapeResponses.unavailable(res, method, f.message(), 10, deps.cache());
            }
        }
    }

    private void afterSnapshotChunk(int k) throws Exception {
        long deadline = System.nanoTime() + SNAPSHOT_STALL_NANOS;
        while (true) {
            long version = shape.version();
            ShapeStorage.SnapshotState state = storage.snapshotState();
            if (state.chunksStarted() > k + 1) {
                snapshotChunk(k + 1);
                return;
            }
            if (state.complete()) {
                log(LogOffset.LAST_BEFORE_REAL_OFFSETS);
                return;
            }
            if (shape.hasEnded()) throw new ShapeGone();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                ShapeResponses.unavailable(res, method, "Timed out waiting for the shape's snapshot", 5, deps.cache());
                return;
            }
            shape.awaitChange(version, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        }
    }

    private void snapshotChunk(int k) throws Exception {
        if (k == 0 && !awaitSnapshotReady()) return;
        LogOffset chunk = LogOffset.snapshotChunk(k);
        String etag = ETag.unquoted(shape.handle(), request.offset(), chunk.toString(), null);
        headers(chunk, false, true, etag);
        if (notModified(etag)) return;
        // Stored copies for chunks whose body is surely past the gzip threshold (a record is its JSON plus 4 bytes,
        // a body its JSON plus 1, so 4x the threshold in records is at least the threshold in body); a smaller
        // chunk is compressed for its response, or not, by its exact size, as it would be while being written.
        if (gzip && closedSnapshotChunk(k) && storage.snapshotChunkBytes(k) >= 4L * Gzip.MIN_BYTES
                && sendCopy(CompressedChunks.snapshotChunk(k), out -> writeClosedSnapshotChunk(out, k))) {
            return;
        }
        ResponseBody out = new ResponseBody(res, gzip);
        try (ItemCursor cursor = storage.readSnapshotChunk(k)) {
            out.write('[');
            boolean first = true;
            long deadline = System.nanoTime() + SNAPSHOT_STALL_NANOS;
            while (true) {
                long version = shape.version();
                ItemCursor.Step step = cursor.advance();
                if (step == ItemCursor.Step.END) break;
                if (step == ItemCursor.Step.NOT_YET) {
                    if (shape.hasEnded()) throw new IOException("the shape ended while its snapshot was read");
                    long left = deadline - System.nanoTime();
                    if (left <= 0) throw new IOException("the snapshot of " + shape.handle() + " stalled");
                    out.flush();
                    shape.awaitChange(version, left);
                    continue;
                }
                if (!first) out.write(',');
                cursor.writeJsonTo(out);
                first = false;
                deadline = System.nanoTime() + SNAPSHOT_STALL_NANOS;
            }
            out.write(']');
        } catch (Exception e) {
            if (!out.committed() && shape.snapshot() == ShapeState.Snapshot.FAILED) {
                // The snapshot query failed while this body was still held (an HTTP/1.0 body is held whole): the
                // client gets the failure's own answer, as it would have before the first row (§1.4).
                out.abort(e);
                for (String name : SUCCESS_HEADERS) res.headers().remove(HeaderNames.create(name));
                snapshotFailed(shape.failure());
                return;
            }
            failBody(out, e);
            return;
        }
        out.finish();
    }

    /** Chunk {@code k} is written whole and will never change: a later chunk started, or the snapshot completed. */
    private boolean closedSnapshotChunk(int k) {
        ShapeStorage.SnapshotState state = storage.snapshotState();
        return state.complete() || state.chunksStarted() > k + 1;
    }

    /** The body of closed snapshot chunk {@code k}, as {@link #snapshotChunk} sends it uncompressed. */
    private void writeClosedSnapshotChunk(OutputStream out, int k) throws IOException {
        try (ItemCursor cursor = storage.readSnapshotChunk(k)) {
            out.write('[');
            boolean first = true;
            while (true) {
                ItemCursor.Step step = cursor.advance();
                if (step == ItemCursor.Step.END) break;
                if (step == ItemCursor.Step.NOT_YET) throw new IOException("closed snapshot chunk " + k + " is incomplete");
                if (!first) out.write(',');
                cursor.writeJsonTo(out);
                first = false;
            }
            out.write(']');
        }
    }

    /**
     * Sends the stored gzip copy {@code name} of an immutable chunk body, made from {@code body} first if there is
     * none yet (once, {@link CompressedChunks}); the headers are set. False when no copy can be had (the volume is
     * full): the caller sends the body itself. A failure before the first byte takes the success headers back and
     * is thrown as a body failure; one after it aborts the connection.
     */
    private boolean sendCopy(String name, CompressedChunks.BodyWriter body) throws Exception {
        StoredCopy.Reader reader;
        long length;
        try {
            Optional<StoredCopy> copy = deps.compressed().get(storage, name, body);
            if (copy.isEmpty()) return false;
            reader = copy.get().open();
            length = copy.get().length();
        } catch (IOException | RuntimeException e) {
            for (String header : SUCCESS_HEADERS) res.headers().remove(HeaderNames.create(header));
            if (shape.hasEnded()) throw new ShapeGone();
            throw e;
        }
        try (reader) {
            Gzip.markEncoded(res);
            ResponseBody.sendStored(res, length, reader::transferTo);
        }
        return true;
    }

    // ---- log ----

    private void log(LogOffset from) throws Exception {
        if (request.live() && request.liveSse()) {
            sse(from);
            return;
        }
        LogOffset latest = shape.latestOffset();
        if (from.isAfter(latest)) {
            // A restarted or lagging instance may catch up: wait like a live request for half the timeout.
            latest = awaitPast(from, deps.config().longPollTimeout().dividedBy(2).toNanos(), true);
            if (latest == null) {
                ShapeResponses.invalid(res, method, RequestErrors.of("offset", "out of bounds for this shape"),
                        deps.cache());
                return;
            }
        }
        if (request.live() && !from.isBefore(latest)) {
            latest = liveWaitTimedOut ? null : awaitPast(from, deps.config().longPollTimeout().toNanos(), false);
            if (latest == null) {
                controlOnly(from, true);
                return;
            }
        }
        LogOffset chunkEnd = from.isBefore(latest) ? min(storage.chunkEnd(from), latest) : latest;
        boolean upToDate = !chunkEnd.isBefore(latest);
        if (!from.isBefore(chunkEnd)) {
            controlOnly(chunkEnd, false);
            return;
        }
        if (request.live()) {
            SharedBodies.Body shared = deps.shared().get(shape.handle(), from, chunkEnd,
                    () -> buildBody(from, chunkEnd, upToDate));
            if (shared != null) {
                String etag = ETag.unquoted(shape.handle(), request.offset(), chunkEnd.toString(), null);
                headers(chunkEnd, upToDate, true, etag);
                if (notModified(etag)) return;
                byte[] body = shared.identity();
                if (gzip && body.length >= Gzip.MIN_BYTES) {
                    body = shared.gzip(); // compressed once per shared body, not per request
                    Gzip.markEncoded(res);
                }
                ResponseBody.sendWhole(res, body, body.length);
                return;
            }
        }
        String etag = ETag.unquoted(shape.handle(), request.offset(), chunkEnd.toString(), null);
        headers(chunkEnd, upToDate, true, etag);
        if (notModified(etag)) return;
        // A whole chunk below the shape's end never changes (no up-to-date message): served from its stored copy.
        if (gzip && !upToDate && storage.isChunkStart(from)
                && sendCopy(CompressedChunks.logChunk(from.toString(), chunkEnd.toString()),
                        out -> writeLog(out, from, chunkEnd, false))) {
            return;
        }
        ResponseBody out = new ResponseBody(res, gzip);
        try {
            writeLog(out, from, chunkEnd, upToDate);
        } catch (Exception e) {
            failBody(out, e);
            return;
        }
        out.finish();
    }

    /**
     * A live body in memory, or null when it is larger than {@link SharedBodies#SHARE_LIMIT} (the request then
     * streams its own). Building stops as soon as the limit is passed.
     */
    private byte[] buildBody(LogOffset from, LogOffset chunkEnd, boolean upToDate) throws IOException {
        SharedBodies.BoundedBuffer buffer = new SharedBodies.BoundedBuffer();
        try {
            writeLog(buffer, from, chunkEnd, upToDate);
        } catch (SharedBodies.TooLarge e) {
            return null;
        }
        return buffer.toByteArray();
    }

    private void writeLog(OutputStream out, LogOffset from, LogOffset chunkEnd, boolean upToDate)
            throws IOException {
        try (ItemCursor cursor = storage.readLog(from, chunkEnd)) {
            out.write('[');
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
            out.write(']');
        }
    }

    /**
     * Waits until the shape's latest offset passes {@code from} (or, when {@code reach}, reaches it); returns the
     * latest offset, or null on timeout. The version is read before each check, so no change slips between.
     */
    private LogOffset awaitPast(LogOffset from, long timeoutNanos, boolean reach) throws Exception {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            long version = shape.version();
            if (shape.hasEnded()) {
                resume(deadline);
                continue;
            }
            LogOffset latest = shape.latestOffset();
            if (reach ? !from.isAfter(latest) : latest.isAfter(from)) return latest;
            long left = deadline - System.nanoTime();
            if (left <= 0) return null;
            shape.awaitChange(version, left);
        }
    }

    /**
     * Carries on with a suspended shape once the stack has recovered it; a shape that ended for its own reasons, or
     * did not come back, is gone. Nothing was sent yet, so the reply simply continues with the recovered state.
     */
    private void resume(long deadline) throws Exception {
        if (!shape.isSuspended()) throw new ShapeGone();
        switch (deps.resumption().resume(shape, deadline)) {
            case ShapeResumption.Resumed(ShapeState back) -> {
                shape = back;
                storage = back.storage();
            }
            case ShapeResumption.Gone g -> throw new ShapeGone();
            case ShapeResumption.StillUnavailable(String message) -> throw new StackDown(message);
        }
    }

    /**
     * A body with only the up-to-date message: nothing new (or {@code offset=now}). A live one gets a unique ETag, so
     * no cache can ever revalidate an empty live response; a catch-up one can be revalidated like any other.
     */
    private void controlOnly(LogOffset offset, boolean timedOut) {
        String etag = ETag.unquoted(shape.handle(), request.offset(), offset.toString(),
                request.live() ? System.nanoTime() : null);
        headers(offset, true, false, etag);
        if (!request.live() && notModified(etag)) return;
        res.send(ControlMessages.upToDateBody(lastSeenLsn(offset)));
    }

    // ---- SSE ----

    /**
     * Live updates as Server-Sent Events (docs/protocol.md §1.10): each log item as a {@code data:} event, an
     * up-to-date after each batch, a keep-alive comment after 21 s of silence, and the end of the stream after 60 s
     * or when the shape ends (the client reconnects and learns why).
     */
    private void sse(LogOffset from) throws Exception {
        if (shape.hasEnded()) throw new ShapeGone();
        res.status(200);
        res.header("content-type", "text/event-stream");
        if (!ClientProtocol.http2(req)) res.header("connection", "keep-alive"); // forbidden on HTTP/2
        res.header("electric-handle", shape.handle());
        res.header("electric-offset", from.toString());
        res.header("electric-cursor", cursor());
        ShapeResponses.cacheHeaders(res, new CacheHeaders.Response(method, 200, false, true, true, false, false),
                deps.cache());
        long deadline = System.nanoTime() + SSE_TIMEOUT_NANOS;
        LogOffset position = from;
        ResponseBody out = new ResponseBody(res);
        try {
            // The headers go out now, with a first comment: the client is waiting for the stream to open, and
            // Helidon sends no headers before a response's first body byte.
            out.write(SSE_KEEPALIVE_COMMENT);
            out.flush();
            while (true) {
                long version = shape.version();
                if (shape.hasEnded()) break;
                LogOffset latest = shape.latestOffset();
                if (position.isBefore(latest)) {
                    LogOffset chunkEnd = min(storage.chunkEnd(position), latest);
                    try (ItemCursor items = storage.readLog(position, chunkEnd)) {
                        while (items.advance() == ItemCursor.Step.ITEM) {
                            out.write(SSE_DATA);
                            items.writeJsonTo(out);
                            out.write(SSE_END);
                        }
                    }
                    position = chunkEnd;
                    if (!position.isBefore(latest)) {
                        out.write(SSE_DATA);
                        out.write(ControlMessages.upToDate(position.tx()));
                        out.write(SSE_END);
                    }
                    out.flush();
                    continue;
                }
                long now = System.nanoTime();
                if (now >= deadline) break;
                if (!shape.awaitChange(version, Math.min(deadline - now, SSE_KEEPALIVE_NANOS))
                        && System.nanoTime() < deadline) {
                    out.write(SSE_KEEPALIVE_COMMENT);
                    out.flush();
                }
            }
        } catch (Exception e) {
            failBody(out, e);
            return;
        }
        // An SSE stream has no natural end: closing it normally tells the client to reconnect.
        out.finish();
    }

    // ---- helpers ----

    /** A failure while producing a body: an error status if nothing was committed, else an aborted connection. */
    private void failBody(ResponseBody out, Exception e) throws Exception {
        out.abort(e); // throws when the response was committed
        for (String name : SUCCESS_HEADERS) res.headers().remove(HeaderNames.create(name));
        if (shape.hasEnded()) throw new ShapeGone();
        throw e;
    }

    private long lastSeenLsn(LogOffset offset) {
        long tx = offset.tx();
        if (request.live()) return tx;
        long global = deps.progress().lastSeenLsn();
        return Long.compareUnsigned(global, tx) > 0 ? global : tx;
    }

    /**
     * The shape went away. No new handle is offered when the shape's definition may be what changed (a schema
     * change), so the client's next request builds it again from the current table; a shape that ended because rows
     * moved through a sub-select is still well defined, and the client is pointed at a fresh one of it.
     */
    private void mustRefetch() throws InterruptedException {
        if (res.isSent()) return;
        Optional<String> fresh = Optional.empty();
        if (shape.endedByMove()) {
            try {
                fresh = Optional.of(deps.shapes().getOrCreate(shape.definition()).handle());
            } catch (RuntimeException e) {
                // No fresh shape now (the cache is restarting or full): the client's offset=-1 request makes one.
            }
        }
        ShapeResponses.mustRefetch(res, method, fresh, deps.cache());
    }

    private String cursor() {
        return LongPollCursor.next(Instant.now(), deps.config().longPollTimeout().toMillis(),
                request.cursor().orElse(null), ThreadLocalRandom.current());
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
            res.header("electric-cursor", cursor());
        }
        res.header("etag", "\"" + etag + "\"");
        if (deps.config().compression()) Gzip.vary(res);
        ShapeResponses.cacheHeaders(res, new CacheHeaders.Response(method, 200, request.offset().isBeforeAll(),
                request.live(), false, false, false), deps.cache());
    }

    private boolean notModified(String etag) {
        List<String> ifNoneMatch = req.headers().all(HeaderNames.IF_NONE_MATCH, List::of);
        String matched = ifNoneMatch.isEmpty() ? null : ETag.matching(ifNoneMatch, etag);
        if (matched == null) return false;
        // The 304 names the representation the cache holds, whichever of the two it is.
        res.header("etag", "\"" + matched + "\"");
        res.status(304);
        res.send();
        return true;
    }

    private static LogOffset min(LogOffset a, LogOffset b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
