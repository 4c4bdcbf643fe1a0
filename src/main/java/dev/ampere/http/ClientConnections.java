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
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's only connection selector: every connection is Helidon's own HTTP/1.1 connection, reading through a
 * {@link GuardedConnection} (read deadlines, HTTP/1.0, the connection cap). It owns the count of open connections
 * and the one timer thread that closes connections whose reads ran past their deadline.
 *
 * <p>Thread-safe: {@link #connection} runs on each new connection's thread.
 */
final class ClientConnections implements ServerConnectionSelector, AutoCloseable {
    /** Request lines up to this long are served (Electric's Bandit allows 10,000 bytes; Helidon's default is 4,096). */
    static final int MAX_REQUEST_LINE = 16_384;

    private final HttpLimits limits;
    private final Http1ConnectionSelector http1;
    private final AtomicInteger open = new AtomicInteger();
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "http-read-deadlines");
        t.setDaemon(true);
        return t;
    });

    ClientConnections(HttpLimits limits) {
        this.limits = limits;
        timer.setRemoveOnCancelPolicy(true);
        Http1Config config = Http1Config.builder()
                .maxPrologueLength(MAX_REQUEST_LINE)
                .addReceiveListener(new RequestListener())
                .addSendListener(new ResponseListener())
                .build();
        this.http1 = Http1ConnectionSelector.builder().config(config).build();
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
        return http1.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        boolean overCap = open.incrementAndGet() > limits.maxConnections();
        GuardedConnection guarded = new GuardedConnection(ctx, timer, limits, MAX_REQUEST_LINE, overCap);
        ServerConnection connection = http1.connection(guarded);
        guarded.attach(connection);
        return new GuardedConnection.Tracked(connection, open::decrementAndGet);
    }

    @Override
    public void close() {
        timer.shutdownNow();
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
