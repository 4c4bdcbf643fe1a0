package dev.ampere.metrics;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

import java.nio.charset.StandardCharsets;

/**
 * Serves {@code GET /metrics} (the Prometheus text format) on its own listener, {@code ELECTRIC_PROMETHEUS_PORT},
 * apart from the shape API, as Electric does: scrapes never compete with, nor are exposed beside, the public port.
 *
 * <p>Threading: start and stop from one thread; scrapes run on Helidon's request threads.
 */
public final class MetricsServer implements AutoCloseable {
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final WebServer server;

    private MetricsServer(WebServer server) {
        this.server = server;
    }

    /** Starts serving {@code metrics} on {@code port} (0: any free port) of every interface. */
    public static MetricsServer start(StackMetrics metrics, int port, boolean ipv6) {
        HttpRouting.Builder routing = HttpRouting.builder()
                .get("/metrics", (req, res) -> {
                    byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
                    res.header(HeaderNames.CONTENT_TYPE, CONTENT_TYPE);
                    res.send(body);
                })
                .any((req, res) -> res.status(404).send());
        WebServer server = WebServer.builder()
                .host(ipv6 ? "::" : "0.0.0.0")
                .port(port)
                .routing(routing)
                .build()
                .start();
        return new MetricsServer(server);
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
