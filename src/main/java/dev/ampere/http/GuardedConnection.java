package dev.ampere.http;

import dev.ampere.config.HttpLimits;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.common.task.InterruptableTask;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.spi.ServerConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One client connection as Helidon's HTTP/1.1 or HTTP/2 connection sees it (docs/protocol.md §1.4;
 * docs/architecture.md, "HTTP/2"): the connection's context
 * with our byte source and writer in between, the one place that sees requests arrive and responses leave, and so
 * the place for what Helidon 4.5 does not do itself (each checked on Helidon's source):
 * <ul>
 *   <li>Deadlines on reads and writes. Helidon applies no read timeout to server sockets, and its idle-connection check never
 *       interrupts a half-received request. Here every blocking read has a deadline: the request line and headers
 *       must arrive within {@link HttpLimits#headerReadTimeout()} of their first byte (of the opening, for a fresh
 *       connection); a kept-alive connection may wait {@link HttpLimits#readTimeout()} for its next request, and so
 *       may each read of a request body; each write of a response must be taken by the client within
 *       {@link HttpLimits#sendTimeout()}. On expiry the socket is closed. A request being answered is never read
 *       from, and a waiting long-poll or SSE stream writes nothing, so neither is ever cut.</li>
 *   <li>HTTP/1.0. Helidon's request-line parser is final and answers 505 to {@code HTTP/1.0}. A request line ending
 *       in {@code HTTP/1.0} is handed to Helidon as 1.1 and its headers are then marked (see {@link ClientProtocol}):
 *       {@code Connection: close} unless the client asked for keep-alive, so that Helidon closes after the
 *       response, and the marker that tells the response body not to use chunked framing.</li>
 *   <li>Closing after {@code Connection: close}: Helidon sends it, then waits for the client to close (and would
 *       serve a request pipelined behind it); here a request or routed response with it asks Helidon's graceful
 *       close, and the byte source ends the stream.</li>
 *   <li>The connection cap: a connection opened beyond it has its first request answered 503 and is closed (an
 *       HTTP/2 one is given a router that answers each stream 503).</li>
 *   <li>HTTP/2: telling prior knowledge from HTTP/1 by the first bytes ({@link #opensWithHttp2Preface}), and the
 *       deadlines of an HTTP/2 connection ({@link #http2Read}); HTTP/1.0 and the request-line handling do not
 *       apply to it.</li>
 * </ul>
 * To see each request line whole, the source holds a request's first bytes back until its line feed has arrived
 * (up to Helidon's line limit, beyond which Helidon answers 414), and after the headers of a request without a body
 * it takes back what Helidon buffered past them (a pipelined next request), to hand it over again as a new request.
 *
 * <p>Threading: the connection's own thread reads, and on HTTP/1 also writes (Helidon's HTTP/1 connection reads and
 * writes on its one thread, its writer being direct by default); on HTTP/2 stream threads write, one at a time under
 * Helidon's connection writer lock, while the connection's thread reads. Each read or write has its own
 * {@link Deadline}, which the timer thread may expire, meeting it under the deadline's lock.
 */
final class GuardedConnection implements ConnectionContext, Supplier<byte[]> {
    private static final Logger log = LoggerFactory.getLogger(GuardedConnection.class);
    private static final String SEND = "response not taken by the client";
    private static final byte[] HTTP_1_0 = " HTTP/1.0\r".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private enum Phase { AWAITING_REQUEST, REQUEST_LINE, HEAD, BODY, HTTP2 }

    private final ConnectionContext ctx;
    private final DataReader reader = DataReader.create(this);
    private final ScheduledExecutorService timer;
    private final long headerTimeoutNanos;
    private final long readTimeoutNanos;
    private final long sendTimeoutNanos;
    private final int maxRequestLine;
    private final boolean overCap;
    private final long openedNanos = System.nanoTime();

    private Phase phase = Phase.AWAITING_REQUEST;
    private boolean firstRequest = true;
    private long headStartNanos;
    private boolean http10;
    private boolean lastRequest;
    private byte[] pending;
    private ServerConnection connection;
    private InterruptableTask<?> http2;
    private boolean http2Started;
    private final Router overCapRouter;

    GuardedConnection(ConnectionContext ctx, ScheduledExecutorService timer, HttpLimits limits, int maxRequestLine,
                      boolean overCap, Router overCapRouter) {
        this.ctx = ctx;
        this.overCapRouter = overCapRouter;
        this.timer = timer;
        this.headerTimeoutNanos = limits.headerReadTimeout().toNanos();
        this.readTimeoutNanos = limits.readTimeout().toNanos();
        this.sendTimeoutNanos = limits.sendTimeout().toNanos();
        this.maxRequestLine = maxRequestLine;
        this.overCap = overCap;
    }

    // ---- the byte source Helidon's parser reads ----

    @Override
    public byte[] get() {
        return switch (phase) {
            case AWAITING_REQUEST -> {
                // After a Connection: close response the stream ends here, so that Helidon closes the connection.
                if (lastRequest) yield null;
                long deadline = firstRequest ? openedNanos + headerTimeoutNanos : System.nanoTime() + readTimeoutNanos;
                byte[] first = read(deadline, firstRequest ? "no request line" : "idle");
                if (first == null) yield null;
                // A new connection's first request is timed from the opening, a later one from its first byte.
                headStartNanos = firstRequest ? openedNanos : System.nanoTime();
                firstRequest = false;
                phase = Phase.REQUEST_LINE;
                yield requestLine(first);
            }
            case REQUEST_LINE, HEAD -> read(headStartNanos + headerTimeoutNanos, "request head not received");
            case BODY -> read(System.nanoTime() + readTimeoutNanos, "request body stalled");
            case HTTP2 -> http2Read();
        };
    }

    /**
     * A read of an HTTP/2 connection (docs/architecture.md, "HTTP/2"): its first bytes (the preface) are due within
     * the header timeout of the opening; later, a connection may wait idle, without open streams, for
     * {@link HttpLimits#readTimeout()}, and waits as long as its streams do (a parked long-poll or SSE stream has
     * nothing to read, as its HTTP/1.1 connection would not). A read mostly begins while the stream its last frame
     * opened is still being answered, so whether the connection is idle is watched during the read, every quarter
     * of the read timeout: it is closed once it has been seen without streams for the read timeout.
     */
    private byte[] http2Read() {
        if (!http2Started) {
            http2Started = true;
            if (pending == null) return read(openedNanos + headerTimeoutNanos, "no HTTP/2 preface");
        }
        if (pending != null) return read(Long.MAX_VALUE, null);
        long period = Math.max(readTimeoutNanos / 4, TimeUnit.MILLISECONDS.toNanos(10));
        Deadline idle = new Deadline("idle");
        long[] busySince = {System.nanoTime()}; // the timer thread's alone once scheduled
        idle.expiry = timer.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            if (http2 == null || !http2.canInterrupt()) busySince[0] = now; // streams open
            else if (now - busySince[0] >= readTimeoutNanos) idle.expire();
        }, period, period, TimeUnit.NANOSECONDS);
        try {
            return read(Long.MAX_VALUE, null);
        } finally {
            idle.disarm();
        }
    }

    /**
     * For a connection that did not choose its protocol by ALPN: whether it opens with the HTTP/2 preface (prior
     * knowledge). Reads as many bytes as it takes to tell, within the header timeout of the opening, and keeps them
     * for the protocol's parser; a stream that ends first is HTTP/1 (whose parser sees the end).
     */
    boolean opensWithHttp2Preface() {
        byte[] seen = new byte[0];
        boolean matches = true;
        while (matches && seen.length < HTTP2_PREFACE.length) {
            byte[] more = read(openedNanos + headerTimeoutNanos, "no request line");
            if (more == null) break;
            byte[] joined = Arrays.copyOf(seen, seen.length + more.length);
            System.arraycopy(more, 0, joined, seen.length, more.length);
            seen = joined;
            int n = Math.min(seen.length, HTTP2_PREFACE.length);
            matches = Arrays.equals(seen, 0, n, HTTP2_PREFACE, 0, n);
        }
        if (seen.length > 0) pending = seen;
        return matches && seen.length >= HTTP2_PREFACE.length;
    }

    /**
     * From now on the connection is HTTP/2 (prior knowledge, ALPN or an accepted Upgrade: bytes already taken back
     * after the upgrade request are the client's preface and are handed over first).
     */
    void http2(ServerConnection h2, boolean upgraded) {
        this.http2 = h2 instanceof InterruptableTask<?> t ? t : null;
        this.http2Started = upgraded;
        this.phase = Phase.HTTP2;
    }

    /** Collects bytes up to the request line's end, then hands them over, with 1.0 turned into 1.1. */
    private byte[] requestLine(byte[] bytes) {
        byte[] line = bytes;
        while (true) {
            int lf = indexOf(line, (byte) '\n');
            if (lf >= 0 || line.length > maxRequestLine) {
                phase = Phase.HEAD;
                http10 = lf >= 0 && endsWithHttp10(line, lf);
                if (http10) line[lf - 2] = '1';
                return line;
            }
            byte[] more = read(headStartNanos + headerTimeoutNanos, "request line not received");
            if (more == null) {
                phase = Phase.HEAD;
                return line; // the end of the stream: the next read reports it
            }
            byte[] joined = Arrays.copyOf(line, line.length + more.length);
            System.arraycopy(more, 0, joined, line.length, more.length);
            line = joined;
        }
    }

    /**
     * The next bytes: those taken back first, else from the socket before the deadline ({@link Long#MAX_VALUE}:
     * none); null at the stream's end.
     */
    private byte[] read(long deadlineNanos, String what) {
        if (pending != null) {
            byte[] p = pending;
            pending = null;
            return p;
        }
        Deadline deadline = deadlineNanos == Long.MAX_VALUE ? null : arm(deadlineNanos - System.nanoTime(), what);
        try {
            DataReader source = ctx.dataReader();
            source.ensureAvailable();
            return source.readBytes(source.available());
        } catch (DataReader.InsufficientDataAvailableException e) {
            return null;
        } finally {
            if (deadline != null) deadline.disarm();
        }
    }

    /** Starts the deadline of one blocking read or write. */
    private Deadline arm(long leftNanos, String what) {
        if (leftNanos <= 0) throw timedOut(what);
        Deadline d = new Deadline(what);
        d.expiry = timer.schedule(d::expire, leftNanos, TimeUnit.NANOSECONDS);
        return d;
    }

    /**
     * The deadline of one read or write. On HTTP/1 there is one at a time; on HTTP/2 the connection's thread reads
     * while stream threads write (one at a time, under Helidon's connection writer lock), so each has its own.
     * Shared with the timer thread under its own lock.
     */
    private final class Deadline {
        private final String what;
        private ScheduledFuture<?> expiry;
        private boolean done;
        private boolean expired;

        Deadline(String what) {
            this.what = what;
        }

        /** Ends it; throws if it expired meanwhile (the socket is closed). */
        void disarm() {
            boolean late;
            synchronized (this) {
                done = true;
                late = expired;
            }
            expiry.cancel(false);
            if (late) throw timedOut(what);
        }

        /** On the timer thread: a read or write has waited past its deadline, so the socket is closed under it. */
        void expire() {
            synchronized (this) {
                if (done || expired) return;
                expired = true;
            }
            log.debug("closing the connection from {}: {} within the time allowed", ctx.remotePeer().address(), what);
            try {
                ctx.serverSocket().close();
            } catch (RuntimeException e) {
                log.debug("closing a timed-out connection failed: {}", e.toString());
            }
        }
    }

    /** What Helidon, and the routes, take for a failed socket: the connection ends quietly. */
    private ServerConnectionException timedOut(String what) {
        return new ServerConnectionException(what + " within the time allowed",
                new SocketTimeoutException(what + " within the time allowed"));
    }

    // ---- what Helidon reports of each request (see ClientConnections: RequestListener, ResponseListener) ----

    /** A request line was parsed (without passing through {@link #requestLine} when it followed a request body). */
    void prologueRead() {
        // bytes Helidon had buffered past a request that ended the connection: not served
        if (lastRequest) throw new CloseConnectionException("a request after the connection's last response");
        if (phase == Phase.BODY) {
            phase = Phase.HEAD;
            headStartNanos = System.nanoTime();
            http10 = false;
        }
    }

    /** Helidon's connection this context belongs to (set once, right after it is made). */
    void attach(ServerConnection connection) {
        this.connection = connection;
    }

    /** A response with Connection: close is being sent: the connection ends after it. */
    void closingResponse() {
        // Before the headers were read this is Helidon's own rejection, after which it closes the connection itself
        // (its graceful close would interrupt the rejection's write, the request line being still "in reading").
        if (phase == Phase.AWAITING_REQUEST || phase == Phase.BODY) endAfterThisRequest();
        else lastRequest = true;
    }

    /**
     * Helidon's graceful close: no further request is read, not even one it has buffered already (it does not
     * interrupt a request being answered); and should Helidon read on, the byte source ends the stream.
     */
    private void endAfterThisRequest() {
        lastRequest = true;
        connection.close(false);
    }

    /** A request's headers were parsed: mark them for the routes, and get ready for the next request. */
    void headersRead(WritableHeaders<?> headers) {
        headers.remove(ClientProtocol.MARKER);
        if (overCap) {
            throw RequestException.builder()
                    .type(DirectHandler.EventType.OTHER)
                    .status(Status.SERVICE_UNAVAILABLE_503)
                    .setKeepAlive(false)
                    .message("connection limit reached")
                    .build();
        }
        boolean body = hasBody(headers);
        if (http10) {
            ClientProtocol.mark(headers);
            // After a body the next request line is not seen here, so a 1.0 connection ends with that request.
            if (body || !headers.containsToken(HeaderValues.CONNECTION_KEEP_ALIVE)) {
                headers.set(HeaderValues.CONNECTION_CLOSE);
            }
        }
        if (headers.containsToken(HeaderValues.CONNECTION_CLOSE)) endAfterThisRequest();
        phase = body ? Phase.BODY : Phase.AWAITING_REQUEST;
        if (!body && !lastRequest && reader.available() > 0) pending = reader.readBytes(reader.available());
    }

    private static boolean hasBody(WritableHeaders<?> headers) {
        if (headers.contains(HeaderNames.TRANSFER_ENCODING)) return true;
        try {
            return headers.contentLength().orElse(0) > 0;
        } catch (RuntimeException e) {
            return true; // Helidon rejects it
        }
    }

    private static boolean endsWithHttp10(byte[] line, int lf) {
        int start = lf - HTTP_1_0.length;
        if (start < 1) return false;
        for (int i = 0; i < HTTP_1_0.length; i++) {
            if (line[start + i] != HTTP_1_0[i]) return false;
        }
        return true;
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) return i;
        }
        return -1;
    }

    // ---- the rest of the context is Helidon's ----

    @Override
    public DataReader dataReader() {
        return reader;
    }

    @Override
    public DataWriter dataWriter() {
        return writer;
    }

    /** Helidon's writer, each write with the send deadline: a client that stops reading cannot hold a response. */
    private final DataWriter writer = new DataWriter() {
        @Override
        public void write(BufferData... buffers) {
            Deadline d = arm(sendTimeoutNanos, SEND);
            try {
                ctx.dataWriter().write(buffers);
            } finally {
                d.disarm();
            }
        }

        @Override
        public void write(BufferData buffer) {
            Deadline d = arm(sendTimeoutNanos, SEND);
            try {
                ctx.dataWriter().write(buffer);
            } finally {
                d.disarm();
            }
        }

        @Override
        public void writeNow(BufferData... buffers) {
            Deadline d = arm(sendTimeoutNanos, SEND);
            try {
                ctx.dataWriter().writeNow(buffers);
            } finally {
                d.disarm();
            }
        }

        @Override
        public void writeNow(BufferData buffer) {
            Deadline d = arm(sendTimeoutNanos, SEND);
            try {
                ctx.dataWriter().writeNow(buffer);
            } finally {
                d.disarm();
            }
        }

        @Override
        public void flush() {
            Deadline d = arm(sendTimeoutNanos, SEND);
            try {
                ctx.dataWriter().flush();
            } finally {
                d.disarm();
            }
        }

        @Override
        public void close() {
            ctx.dataWriter().close();
        }
    };

    @Override
    public ListenerContext listenerContext() {
        return ctx.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return ctx.executor();
    }

    /**
     * Helidon's router; a connection over the cap gets one that answers each request 503. An HTTP/1 connection never
     * routes (its first request's headers are answered 503 first, see {@link #headersRead}); an HTTP/2 connection
     * takes its router when it is made, so this cannot wait for {@link #http2}.
     */
    @Override
    public Router router() {
        return overCap ? overCapRouter : ctx.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return ctx.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return ctx.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
        return ctx.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return ctx.localPeer();
    }

    @Override
    public boolean isSecure() {
        return ctx.isSecure();
    }

    @Override
    public String socketId() {
        return ctx.socketId();
    }

    @Override
    public String childSocketId() {
        return ctx.childSocketId();
    }

    /**
     * Helidon's connection, chosen on the connection's own thread once the protocol is known (it may take reading the
     * first bytes), with a hook for when it ends (the connection count).
     */
    static final class Tracked implements ServerConnection, InterruptableTask<Void> {
        private final Supplier<ServerConnection> choice;
        private final Runnable onEnd;
        private volatile ServerConnection delegate;
        private volatile Thread thread;
        private volatile Boolean closed; // a close asked for before the choice: with or without interrupt

        Tracked(Supplier<ServerConnection> choice, Runnable onEnd) {
            this.choice = choice;
            this.onEnd = onEnd;
        }

        @Override
        public void handle(Limit limit) throws InterruptedException {
            try {
                thread = Thread.currentThread();
                ServerConnection chosen = choice.get();
                delegate = chosen;
                Boolean closeAsked = closed;
                if (closeAsked != null) chosen.close(closeAsked);
                chosen.handle(limit);
            } finally {
                onEnd.run();
            }
        }

        @Override
        public boolean canInterrupt() {
            ServerConnection d = delegate;
            return d == null || d instanceof InterruptableTask<?> t && t.canInterrupt();
        }

        @Override
        public Duration idleTime() {
            ServerConnection d = delegate;
            return d == null ? Duration.ZERO : d.idleTime();
        }

        @Override
        public void close(boolean interrupt) {
            ServerConnection d = delegate;
            if (d != null) {
                d.close(interrupt);
                return;
            }
            closed = interrupt;
            Thread t = thread;
            if (interrupt && t != null) t.interrupt();
        }
    }
}
