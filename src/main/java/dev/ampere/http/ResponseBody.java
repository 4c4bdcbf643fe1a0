package dev.ampere.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The body of one response, whole or visibly failed (docs/protocol.md §1.4). Bytes are first collected in memory;
 * a body that ends within {@link #BUFFER_LIMIT} goes out in one write with a Content-Length, so nothing that fails
 * while it is produced can reach the client as a success. A larger body switches to streaming (chunked): the
 * status and headers go out with the first {@link #BUFFER_LIMIT} bytes, and from then on a failure
 * {@link #abort aborts} the connection without the terminating chunk, so neither a client nor a cache can take a
 * cut-off body for a complete one.
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
    private Buffer buffer = new Buffer();
    private OutputStream stream;

    ResponseBody(ServerResponse res) {
        this.res = res;
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
        if (buffer.size() > BUFFER_LIMIT) startStreaming();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (stream != null) {
            stream.write(b, off, len);
            return;
        }
        buffer.write(b, off, len);
        if (buffer.size() > BUFFER_LIMIT) startStreaming();
    }

    /** Pushes what is written to the client now (for SSE and for snapshot rows that trickle in). */
    @Override
    public void flush() throws IOException {
        if (stream == null) startStreaming();
        stream.flush();
    }

    /** Completes the response: one write of the whole body, or the streamed body's end. */
    void finish() throws IOException {
        if (stream == null) {
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
        stream = res.outputStream();
        buffer.writeTo(stream);
        buffer = null;
    }

    /** The body was cut off; the connection must close without finishing it. */
    static final class AbortedResponse extends RuntimeException {
        private AbortedResponse(String message, Throwable cause) {
            super(message, cause);
        }

        static AbortedResponse after(Throwable cause) {
            return new AbortedResponse("response aborted: " + cause.getMessage(), cause);
        }
    }
}
