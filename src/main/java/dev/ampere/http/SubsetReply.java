package dev.ampere.http;

import dev.ampere.changes.LogOffset;
import dev.ampere.postgres.QueryPoolView;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.SnapshotInfo;
import dev.ampere.shapes.ShapeDefinition;
import dev.ampere.shapes.ShapeState;
import dev.ampere.shapes.SnapshotFailure;
import dev.ampere.shapes.SubsetQuery;
import dev.ampere.shapes.VisibilityBarriers;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Answers a subset snapshot request for a resolved shape (docs/protocol.md §1.11): {@code 200} with
 * {@code electric-snapshot: true}, {@code cache-control: no-cache}, the shape's handle, schema and an offset, and the
 * body {@code {"metadata":{xmin,xmax,xip_list,snapshot_mark,database_lsn},"data":[…]}}.
 *
 * <p>Consistency with the shape's log, so a client merging the two misses and duplicates nothing: the query runs
 * only once the shape's own snapshot has started (so every transaction the subset does not see is in the shape's
 * log), and the offset it answers with is fixed before the query starts (so every log entry up to it is visible to
 * the subset). Log entries after the offset that the subset already reflects carry txids the metadata marks as
 * visible, which is how the client drops them.
 *
 * <p>Whole or visibly failed: rows stream into a {@link ResponseBody} while the query's cursor reads them; a failure
 * before anything was committed is answered with a proper status, one after aborts the connection.
 *
 * <p>Not thread-safe: one instance per request, on the request's thread.
 */
final class SubsetReply implements ShapeRoutes.Reply {
    private static final long SNAPSHOT_START_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final List<String> SUCCESS_HEADERS = List.of("content-type", "electric-handle", "electric-offset",
            "electric-schema", "electric-snapshot", "cache-control", "surrogate-control");

    /** What every subset reply needs; built once by the routes. */
    record Deps(CacheHeaders.Config cache, QueryPoolView pool, VisibilityBarriers barriers) {}

    private final Deps deps;
    private final String method;
    private final ServerResponse res;
    private final ShapeRequest request;
    private final ShapeState shape;
    private final Map<String, Object> raw;

    SubsetReply(Deps deps, String method, ServerResponse res, ShapeRequest request, ShapeState shape,
                Map<String, Object> raw) {
        this.deps = deps;
        this.method = method;
        this.res = res;
        this.request = request;
        this.shape = shape;
        this.raw = raw;
    }

    @Override
    public void send() throws Exception {
        ShapeDefinition d = shape.definition();
        SubsetQuery.Subset subset;
        switch (SubsetRequest.validate(raw, d.table(), d.columns().size())) {
            case SubsetRequest.Result.Invalid(Map<String, List<String>> errors) -> {
                ShapeResponses.json(res, method, 400, SubsetRequest.invalidBody(errors), deps.cache());
                return;
            }
            case SubsetRequest.Result.Ok(SubsetQuery.Subset s) -> subset = s;
        }
        if (!awaitSnapshotStarted()) return;
        LogOffset offset = responseOffset();
        Optional<DataSource> pool = deps.pool().current();
        if (pool.isEmpty()) {
            unavailable("Could not take the subset snapshot: no database connection yet");
            return;
        }
        int mark = ThreadLocalRandom.current().nextInt() & 0x7FFF_FFFF;
        ResponseBody out = new ResponseBody(res);
        // A subset query holds a pooled connection like a snapshot, so it queues for the same slots (§1.15).
        try (QueryPoolView.SnapshotSlot _ = deps.pool().snapshotSlot()) {
            HeldBody body = new HeldBody(out, offset);
            // The rows go out only once the shape's log holds what the snapshot saw (VisibilityBarriers says why):
            // held in memory up to HELD_LIMIT, a body that grows past it streams and skips the barrier.
            SubsetQuery.AfterRows barrier = c -> {
                if (!body.streaming) deps.barriers().pass(c, shape.handle());
            };
            SubsetQuery.run(pool.get(), d, subset, mark, barrier, body);
            body.release();
            out.write(']');
            out.write('}');
        } catch (SQLException e) {
            out.abort(e); // throws when the response was committed
            clearHeaders();
            failed(SnapshotFailure.of(e));
            return;
        } catch (Exception e) {
            out.abort(e);
            clearHeaders();
            throw e;
        }
        out.finish();
    }

    /** A subset body held in memory until its barrier has passed; this big, it starts streaming instead. */
    static final int HELD_LIMIT = 4 * 1024 * 1024;

    private final class HeldBody implements SubsetQuery.Sink {
        private final ResponseBody out;
        private final LogOffset offset;
        private final ByteArrayOutputStream held = new ByteArrayOutputStream();
        private boolean first = true;
        boolean streaming;

        HeldBody(ResponseBody out, LogOffset offset) {
            this.out = out;
            this.offset = offset;
        }

        @Override
        public void begin(SubsetQuery.Metadata metadata) throws IOException {
            held.write(metadataPrefix(metadata));
        }

        @Override
        public void row(byte[] json) throws IOException {
            OutputStream to = streaming ? out : held;
            if (!first) to.write(',');
            to.write(json);
            first = false;
            if (!streaming && held.size() > HELD_LIMIT) release();
        }

        /** Sends what is held (headers first) and streams from here on. */
        void release() throws IOException {
            if (streaming) return;
            streaming = true;
            headers(offset);
            held.writeTo(out);
            held.reset();
        }
    }

    /** Waits until the shape's own snapshot has started; false when a response (error, 409, 503) was sent. */
    private boolean awaitSnapshotStarted() throws InterruptedException {
        long deadline = System.nanoTime() + SNAPSHOT_START_NANOS;
        while (true) {
            long version = shape.version();
            switch (shape.snapshot()) {
                case READY -> {
                    if (!shape.hasEnded()) return true;
                }
                case FAILED -> {
                    shapeFailed(shape.failure());
                    return false;
                }
                case PENDING -> { }
            }
            if (shape.hasEnded()) {
                ShapeResponses.mustRefetch(res, method, Optional.empty(), deps.cache());
                return false;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                ShapeResponses.unavailable(res, method, "Timed out waiting for the shape's snapshot to start", 5,
                        deps.cache());
                return false;
            }
            shape.awaitChange(version, left);
        }
    }

    /**
     * The offset a log request from the same offset would answer with (Electric computes it the same way): {@code 0_0}
     * for {@code -1}, the next snapshot chunk for {@code 0_k}, the latest offset for {@code now} or beyond the end,
     * else the end of the log chunk. The client continues its stream from here.
     */
    private LogOffset responseOffset() {
        ShapeStorage storage = shape.storage();
        LogOffset latest = shape.latestOffset();
        return switch (request.offset()) {
            case RequestedOffset.Now n -> latest;
            case RequestedOffset.At(LogOffset from) -> {
                if (from.isBeforeAll()) yield LogOffset.snapshotChunk(0);
                if (from.isSnapshot()) {
                    ShapeStorage.SnapshotState state = storage.snapshotState();
                    if (from.op() < Integer.MAX_VALUE - 1 && (!state.complete() || from.op() + 1 < state.chunksStarted())) {
                        yield LogOffset.snapshotChunk(from.op() + 1);
                    }
                    from = LogOffset.LAST_BEFORE_REAL_OFFSETS;
                }
                if (!from.isBefore(latest)) yield latest;
                LogOffset end = storage.chunkEnd(from);
                yield end.compareTo(latest) <= 0 ? end : latest;
            }
        };
    }

    /** The shape's own snapshot failed: answered as a log request would be (docs/protocol.md §1.4). */
    private void shapeFailed(SnapshotFailure f) {
        if (f.kind() == SnapshotFailure.Kind.INVALID_QUERY) {
            ShapeResponses.invalid(res, method, RequestErrors.of("where", f.message()), deps.cache());
        } else {
            failed(f);
        }
    }

    /** The subset's query failed. */
    private void failed(SnapshotFailure f) {
        switch (f.kind()) {
            case INVALID_QUERY -> ShapeResponses.json(res, method, 400,
                    SubsetRequest.invalidBody(Map.of("where", List.of(f.message()))), deps.cache());
            case SCHEMA_CHANGED -> ShapeResponses.mustRefetch(res, method, Optional.empty(), deps.cache());
            case UNAVAILABLE -> unavailable(f.message());
        }
    }

    private void unavailable(String message) {
        res.header("electric-internal-known-error", "true");
        ShapeResponses.unavailable(res, method, message, 10, deps.cache());
    }

    private void headers(LogOffset offset) {
        res.status(200);
        res.header("content-type", ShapeResponses.JSON);
        res.header("electric-snapshot", "true");
        res.header("electric-handle", shape.handle());
        res.header("electric-offset", offset.toString());
        if (!request.live()) {
            res.header("electric-schema", SchemaHeader.of(shape.definition().table(), shape.definition().columns()));
        }
        ShapeResponses.cacheHeaders(res, new CacheHeaders.Response(method, 200, request.offset().isBeforeAll(),
                request.live(), false, true, false), deps.cache());
    }

    private void clearHeaders() {
        for (String name : SUCCESS_HEADERS) res.headers().remove(HeaderNames.create(name));
        res.status(200);
    }

    /** {@code {"metadata":{…},"data":[}: xids and the LSN as decimal strings, the mark as a number. */
    static byte[] metadataPrefix(SubsetQuery.Metadata m) {
        SnapshotInfo s = m.snapshot();
        String metadata = JsonBodies.writeString(g -> {
            g.writeStartObject();
            g.writeStringField("xmin", Long.toUnsignedString(s.xmin()));
            g.writeStringField("xmax", Long.toUnsignedString(s.xmax()));
            g.writeArrayFieldStart("xip_list");
            for (long x : s.xipList()) g.writeString(Long.toUnsignedString(x));
            g.writeEndArray();
            g.writeNumberField("snapshot_mark", m.snapshotMark());
            g.writeStringField("database_lsn", m.databaseLsn().toDecimal());
            g.writeEndObject();
        });
        return ("{\"metadata\":" + metadata + ",\"data\":[").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
