package dev.ampere.http;

import dev.ampere.config.HttpLimits;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.webserver.Router;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.http2.Http2ConnectionSelector;
import io.helidon.webserver.http2.Http2Upgrader;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's only connection selector: every connection reads and writes through a {@link GuardedConnection}
 * (deadlines, HTTP/1.0, the connection cap) and is Helidon's own HTTP/1.1 or HTTP/2 connection
 * (docs/architecture.md, "HTTP/2"). HTTP/2 is chosen by ALPN ({@code h2}, over TLS), by the client's preface (prior
 * knowledge, cleartext) or by an accepted {@code Upgrade: h2c}; anything else is HTTP/1. Both hand every request,
 * or stream, to the same routing. It owns the count of open connections and the one timer thread that closes
 * connections whose reads or writes ran past their deadline.
 *
 * <p>Thread-safe: {@link #connection} runs on each new connection's thread.
 */
final class ClientConnections implements ServerConnectionSelector, AutoCloseable {
    /** Request lines up to this long are served (Electric's Bandit allows 10,000 bytes; Helidon's default is 4,096). */
    static final int MAX_REQUEST_LINE = 16_384;

    private final HttpLimits limits;
    private final Http1ConnectionSelector http1;
    private final Http2ConnectionSelector http2;
    private final Router overCapRouter;
    private final AtomicInteger open = new AtomicInteger();
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "http-read-deadlines");
        t.setDaemon(true);
        return t;
    });

    /** @param overCap the routing for HTTP/2 connections over the cap: a 503 for each stream */
    ClientConnections(HttpLimits limits, Router overCap) {
        this.limits = limits;
        this.overCapRouter = overCap;
        timer.setRemoveOnCancelPolicy(true);
        Http1Config config = Http1Config.builder()
                .maxPrologueLength(MAX_REQUEST_LINE)
                .addReceiveListener(new RequestListener())
                .addSendListener(new ResponseListener())
                .build();
        Http2Config h2 = Http2Config.builder()
                // Helidon's default flow-control wait: a stream whose client window stays shut this long fails
                .flowControlTimeout(limits.sendTimeout())
                .build();
        this.http2 = Http2ConnectionSelector.builder().http2Config(h2).build();
        Http2Upgrader upgrader = Http2Upgrader.create(h2);
        this.http1 = Http1ConnectionSelector.builder()
                .config(config)
                .putUpgrader(upgrader.supportedProtocol(), new Upgrader(upgrader))
                .build();
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    @Override
    public Support supports(BufferData data) {
        return Support.SUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        Set<String> both = new LinkedHashSet<>(http2.supportedApplicationProtocols());
        both.addAll(http1.supportedApplicationProtocols());
        return both;
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        boolean overCap = open.incrementAndGet() > limits.maxConnections();
        GuardedConnection guarded = new GuardedConnection(ctx, timer, limits, MAX_REQUEST_LINE, overCap,
                overCapRouter);
        HelidonSocket socket = ctx.serverSocket();
        if (socket.protocolNegotiated()) {
            return new GuardedConnection.Tracked(() -> "h2".equals(socket.protocol()) ? h2(guarded)
                    : h1(guarded), open::decrementAndGet);
        }
        return new GuardedConnection.Tracked(() -> guarded.opensWithHttp2Preface() ? h2(guarded) : h1(guarded),
                open::decrementAndGet);
    }

    private ServerConnection h1(GuardedConnection guarded) {
        ServerConnection connection = http1.connection(guarded);
        guarded.attach(connection);
        return connection;
    }

    private ServerConnection h2(GuardedConnection guarded) {
        ServerConnection connection = http2.connection(guarded);
        guarded.attach(connection);
        guarded.http2(connection, false);
        return connection;
    }

    /** The timer thread of the deadlines, shared with the TLS handshakes' ({@link HandshakeDeadlines}). */
    ScheduledExecutorService timer() {
        return timer;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** Helidon's h2c upgrade, which then tells the connection's guard that the connection is HTTP/2. */
    private record Upgrader(Http2Upgrader delegate) implements Http1Upgrader {
        @Override
        public String supportedProtocol() {
            return delegate.supportedProtocol();
        }

        @Override
        public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
            ServerConnection connection = delegate.upgrade(ctx, prologue, headers);
            if (connection != null && ctx instanceof GuardedConnection g) g.http2(connection, true);
            return connection;
        }
    }

    /** Tells each connection's guard what Helidon parsed (the context Helidon passes is the guard itself). */
    private static final class RequestListener implements Http1ConnectionListener {
        @Override
        public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
            if (ctx instanceof GuardedConnection g) g.prologueRead();
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            if (ctx instanceof GuardedConnection g && headers instanceof WritableHeaders<?> w) g.headersRead(w);
        }
    }

    /** Tells each connection's guard when a response ends the connection. */
    private static final class ResponseListener implements Http1ConnectionListener {
        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            if (ctx instanceof GuardedConnection g && headers.containsToken(HeaderValues.CONNECTION_CLOSE)) {
                g.closingResponse();
            }
        }
    }
}
