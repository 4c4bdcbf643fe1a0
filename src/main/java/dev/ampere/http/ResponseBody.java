package dev.ampere.http;

import dev.ampere.shapecache.storage.StoredCopy;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.http2.Http2ErrorCode;
import io.helidon.http.http2.Http2Exception;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The body of one response, whole or visibly failed (docs/protocol.md §1.4). Bytes are first collected in memory;
 * a body that ends within {@link #BUFFER_LIMIT} goes out in one write with a Content-Length, so nothing that fails
 * while it is produced can reach the client as a success. A larger body switches to streaming (chunked): the
 * status and headers go out with the first {@link #BUFFER_LIMIT} bytes, and from then on a failure
 * {@link #abort aborts} the connection without the terminating chunk (on HTTP/2: resets the stream without its
 * END_STREAM), so neither a client nor a cache can take a cut-off body for a complete one.
 *
 * <p>A request that came as HTTP/1.0 ({@link ClientProtocol}) cannot take chunked framing, and a body ended by the
 * connection's close could not show a failure. So its body is kept in memory whole (a response is at most about one
 * chunk, docs/protocol.md §1.13) and goes out with a Content-Length, or an error status instead if it fails; only an
 * event stream, which has no complete form, streams, ended by the close.
 *
 * <p>A body made for a request that accepts gzip ({@link Gzip}) of at least {@link Gzip#MIN_BYTES} goes out
 * compressed (a smaller one never: it is held until it ends or grows past that): when it ends within
 * {@link #BUFFER_LIMIT}, as one compression of the whole body with its Content-Length; when it streams, through
 * a gzip stream that every {@link #flush()} sync-flushes, so rows
 * that trickle in still reach the client as they come. A streamed body is a snapshot chunk still being written or a
 * large log range; once a chunk is written, its stored compressed copy is served instead (docs/protocol.md §1.16).
 * A failure mid-stream aborts as before: the gzip member is left unfinished and the terminating chunk unsent.
 *
 * <p>Use: set status and headers on the response, write, then {@link #finish()}; on any failure call
 * {@link #abort} (if nothing was committed yet, the caller may still answer with an error status: see
 * {@link #committed()}). Never close the stream yourself.
 *
 * <p>Not thread-safe: one per response, on the request's thread.
 */
final class ResponseBody extends OutputStream {
    /** Bodies up to this size are sent in one write with a Content-Length. */
    static final int BUFFER_LIMIT = 256 * 1024;

    /** Bodies above this size are handed to the socket without Helidon copying them into its header buffer. */
    private static final int COPY_LIMIT = 16 * 1024;

    private final ServerResponse res;
    private final boolean gzip;
    private final boolean http10 = ClientProtocol.http10();
    private Buffer buffer = new Buffer();
    private OutputStream stream;

    /** A body sent as it is written. */
    ResponseBody(ServerResponse res) {
        this(res, false);
    }

    /** A body that is gzip-compressed when {@code gzip} (the request accepts it) and the body is whole and not small. */
    ResponseBody(ServerResponse res, boolean gzip) {
        this.res = res;
        this.gzip = gzip;
    }

    /** True once status, headers and some of the body have gone to the client. */
    boolean committed() {
        return stream != null;
    }

    @Override
    public void write(int b) throws IOException {
        if (stream != null) {
            stream.write(b);
            return;
        }
        buffer.write(b);
        if (buffer.size() > BUFFER_LIMIT && !http10) startStreaming();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (stream != null) {
            stream.write(b, off, len);
            return;
        }
        buffer.write(b, off, len);
        if (buffer.size() > BUFFER_LIMIT && !http10) startStreaming();
    }

    /** Pushes what is written to the client now (for SSE and for snapshot rows that trickle in). */
    @Override
    public void flush() throws IOException {
        if (http10 && !eventStream()) return;
        // A gzip body under the threshold is held until it ends (and goes uncompressed) or grows past it, so
        // whether a body is compressed depends on the body alone, never on how its rows trickled in: the same
        // request always gets the same representation, and so the same ETag.
        if (stream == null && gzip && buffer.size() < Gzip.MIN_BYTES) return;
        if (stream == null) startStreaming();
        stream.flush();
    }

    /** Completes the response: one write of the whole body, or the streamed body's end. */
    void finish() throws IOException {
        if (stream == null) {
            if (gzip && buffer.size() >= Gzip.MIN_BYTES) {
                byte[] compressed = Gzip.compress(buffer.array(), 0, buffer.size());
                buffer = null;
                Gzip.markEncoded(res);
                sendWhole(res, compressed, compressed.length);
                return;
            }
            sendWhole(res, buffer.array(), buffer.size());
            buffer = null;
        } else {
            stream.close();
        }
    }

    /**
     * Gives up on the response. Before anything was committed this only drops the buffer (the caller answers with
     * an error instead); after, it makes the connection close with the body unfinished and throws
     * {@link AbortedResponse} for the handler to let escape.
     */
    void abort(Throwable cause) {
        buffer = null;
        if (stream != null) throw AbortedResponse.after(cause);
    }

    /**
     * Sends a complete body with a Content-Length. A small one goes out with the headers in one write. For a large
     * one, Helidon's {@code send(byte[])} would copy the body into a buffer that starts at 256 bytes plus the
     * body and doubles when the headers do not fit: three body-sized allocations per response, which dominated the
     * garbage when 200 clients received one large live body. Through the output stream, a small first write
     * carries the headers, and the rest is handed to the socket as it is.
     */
    static void sendWhole(ServerResponse res, byte[] body, int length) throws IOException {
        if (length <= COPY_LIMIT) {
            res.send(body, 0, length);
            return;
        }
        res.header(HeaderNames.CONTENT_LENGTH, Integer.toString(length));
        try (OutputStream out = res.outputStream()) {
            out.write(body, 0, 1);
            out.write(body, 1, length - 1);
        }
    }

    /**
     * Sends a stored copy (a compressed chunk) as the whole body, with its Content-Length; the caller set the
     * status and headers, {@code Content-Encoding} included. Should reading the copy fail after the first byte,
     * the connection is aborted ({@link AbortedResponse}): the client sees fewer bytes than the Content-Length
     * promised, never a short body taken for complete. A failure before anything was sent is thrown as it is.
     */
    static void sendStored(ServerResponse res, long length, StoredSource copy) throws IOException {
        res.header(HeaderNames.CONTENT_LENGTH, Long.toString(length));
        OutputStream out = res.outputStream();
        try {
            copy.transferTo(out);
        } catch (IOException | RuntimeException e) {
            throw AbortedResponse.after(e);
        }
        out.close();
    }

    /** What {@link #sendStored} sends: exactly the promised bytes, or a failure ({@link StoredCopy.Reader}). */
    @FunctionalInterface
    interface StoredSource {
        void transferTo(OutputStream out) throws IOException;
    }

    /** The in-memory body, read without a copy. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(1024);
        }

        byte[] array() {
            return buf;
        }
    }

    private void startStreaming() throws IOException {
        if (http10) {
            // Helidon frames a body without a Content-Length as chunked, fixing the choice when the stream is made
            // (before stream filters run) and writing the headers with the first bytes. So a Content-Length makes it
            // write bytes as they come, and the filter takes the header out again before anything is written: the
            // body is ended by the close that Connection: close asks for.
            res.header(HeaderValues.CONNECTION_CLOSE);
            res.header(HeaderNames.CONTENT_LENGTH, Long.toString(Long.MAX_VALUE));
            res.streamFilter(out -> {
                res.headers().remove(HeaderNames.CONTENT_LENGTH);
                return out;
            });
        }
        if (gzip) Gzip.markEncoded(res); // headers are fixed once the output stream exists
        stream = res.outputStream();
        if (gzip) stream = Gzip.streaming(stream);
        buffer.writeTo(stream);
        buffer = null;
        // The deflater holds what it was given: flush, so the status, headers and first bytes go out now, as an
        // uncompressed stream's do (and a client waiting on a slow snapshot sees it started).
        if (gzip) stream.flush();
    }

    private boolean eventStream() {
        return res.headers().first(HeaderNames.CONTENT_TYPE).orElse("").startsWith("text/event-stream");
    }

    /**
     * The body was cut off; it must end visibly unfinished. A {@link CloseConnectionException} is what Helidon lets
     * through its error handling to end the connection quietly (a plain exception there is logged as a warning with
     * its stack trace, although a failed body is an expected condition, most often a client that went away). On
     * HTTP/1 the connection closes; on HTTP/2 only this stream ends, reset with the {@code INTERNAL_ERROR} code its
     * cause carries, and the connection's other streams go on (docs/architecture.md, "HTTP/2").
     */
    static final class AbortedResponse extends CloseConnectionException {
        private AbortedResponse(String message, Throwable cause) {
            super(message, cause);
        }

        static AbortedResponse after(Throwable cause) {
            String message = "response aborted: " + cause.getMessage();
            return new AbortedResponse(message, new Http2Exception(Http2ErrorCode.INTERNAL, message, cause));
        }
    }
}
