package dev.ampere.http;

import dev.ampere.config.Config;
import dev.ampere.postgres.QueryPoolView;
import dev.ampere.postgres.SlotLag;
import dev.ampere.postgres.TableLookup;
import dev.ampere.replication.ReplicationProgress;
import dev.ampere.shapecache.ShapeDirectory;
import dev.ampere.shapes.VisibilityBarriers;
import dev.ampere.stack.StackEvents;
import io.helidon.http.DirectHandler;
import io.helidon.http.Method;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;

import java.time.Duration;
import java.util.List;

/**
 * The HTTP side of Ampere on Helidon SE: one virtual thread per request, routes read like a table of contents.
 * Lives beside the stack tree (as Electric's Bandit does), reading only the read-only views the stack's owners hand
 * out: the stack's events, the live shapes, table metadata and replication progress.
 *
 * Owns the {@link ClientConnections} through which every connection is read (read deadlines, HTTP/1.0, the
 * connection cap; docs/protocol.md §1.4) and its timer thread. One listener serves HTTP/1.1 and HTTP/2 (h2c by prior
 * knowledge or Upgrade; h2 by ALPN when TLS is configured), both through the same routing
 * (docs/architecture.md, "HTTP/2").
 *
 * <p>Threading: start and stop from one thread; handlers run on request threads.
 */
public final class HttpServer implements AutoCloseable {
    private final WebServer server;
    private final ClientConnections connections;

    private HttpServer(WebServer server, ClientConnections connections) {
        this.server = server;
        this.connections = connections;
    }

    /** What the operations side adds: request metrics and the status page's sources. */
    public record Operations(HttpMetrics metrics, StatusSources status) {}

    public static HttpServer start(Config config, StackEvents events, ShapeDirectory shapeDirectory, TableLookup tables,
                                   ReplicationProgress progress, QueryPoolView pool) {
        return start(config, events, shapeDirectory, tables, progress, pool,
                new Operations(HttpMetrics.NONE, new StatusSources(
                        new SlotLag(pool, config.slotName()), () -> -1, List::of)),
                new VisibilityBarriers(Duration.ZERO));
    }

    /** @param barriers the stack's subset visibility barriers, released by its replication branch */
    public static HttpServer start(Config config, StackEvents events, ShapeDirectory shapeDirectory, TableLookup tables,
                                   ReplicationProgress progress, QueryPoolView pool, Operations ops,
                                   VisibilityBarriers barriers) {
        HealthRoutes health = new HealthRoutes(events);
        ShapeRoutes shapes = new ShapeRoutes(config, events, shapeDirectory, tables, progress, pool, ops.metrics(), barriers);
        StatusRoutes status = new StatusRoutes(config, events, shapeDirectory, progress, ops.status());
        HttpRouting.Builder routing = HttpRouting.builder()
                .addFilter(RequestFilter.of(ops.metrics()))
                .get("/status", status::page)
                .get("/status.json", status::json)
                .get("/", HealthRoutes::root)
                .get("/v1/health", health::health)
                .get("/v1/shape", shapes::get)
                .post("/v1/shape", shapes::post)
                .route(Method.HEAD, "/v1/shape", shapes::get)
                .delete("/v1/shape", shapes::delete)
                .options("/v1/shape", shapes::options)
                .any(HealthRoutes::notFound);
        RejectionResponses rejection = new RejectionResponses(config.http().maxConnections());
        ClientConnections connections = new ClientConnections(config.http(), rejection.overCapRouter());
        WebServer server = listener(config, connections, rejection, routing).build().start();
        return new HttpServer(server, connections);
    }

    /**
     * The listener as Ampere runs it, around {@code routing}: every connection through {@code connections}, Helidon's
     * rejections answered by {@code rejection}, TLS when configured (package-private for tests of the HTTP layer).
     */
    static WebServerConfig.Builder listener(Config config, ClientConnections connections, RejectionResponses rejection,
                                      HttpRouting.Builder routing) {
        DirectHandlers.Builder rejections = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) rejections.addHandler(type, rejection);
        return WebServer.builder()
                .host(config.listenOnIpv6() ? "::" : "0.0.0.0")
                .port(config.port())
                // Without TCP_NODELAY the last small write of every response on a kept-alive connection waits for
                // the client's delayed ACK (about 40 ms): Nagle's algorithm meeting delayed acknowledgement.
                .connectionOptions(o -> o.tcpNoDelay(true))
                // Blocking socket streams instead of NIO channels: a virtual thread blocks on either just as well,
                // and Helidon's NIO socket keeps two 8 KiB heap buffers per connection where the stream keeps one.
                // Most connections are parked long-polls, so that is a third of what each one costs.
                .useNio(false)
                // Every connection goes through ClientConnections (read deadlines, HTTP/1.0, the connection cap, the
                // choice of HTTP/1.1 or HTTP/2), so Helidon's own selectors are not discovered; rejections get
                // Electric's JSON bodies.
                .protocolsDiscoverServices(false)
                .addConnectionSelector(connections)
                .directHandlers(rejections.build())
                // A backstop for file descriptors: connections past the cap are answered 503 and closed, but beyond
                // twice the cap new ones wait in the listen backlog.
                .maxTcpConnections(2 * config.http().maxConnections())
                .routing(routing)
                // With the PEM files the listener speaks TLS only, its ALPN offering h2 and http/1.1
                // (ClientConnections picks the connection by what was negotiated).
                .update(b -> config.tls().ifPresent(files -> b.tls(ServerTls.from(files,
                        config.http().headerReadTimeout(), connections.timer()))));
    }

    /** The port actually bound (useful when configured as 0). */
    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
        connections.close();
    }
}
