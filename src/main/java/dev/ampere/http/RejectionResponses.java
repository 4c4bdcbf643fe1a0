package dev.ampere.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.Router;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The responses to requests Helidon rejects itself, mostly before routing (a malformed request line or headers, an
 * invalid method or path character, a request line over the limit, a bad body framing; docs/protocol.md §1.4): a 4xx
 * with a JSON body in Electric's format and the headers every response carries. Nothing a client can send gets a
 * 5xx: Helidon's 500 for what it could not parse (an invalid method, for one), its 501 and its 505 become 400s. Only
 * a failure inside routing (a request with a method) stays a 500, and the connection cap's 503.
 *
 * <p>Stateless and thread-safe; runs on the connection's thread.
 */
final class RejectionResponses implements DirectHandler {
    /** The 400 body for a malformed request line, header section or body framing. */
    static byte[] malformed() {
        return ErrorBodies.invalidRequest("request", "malformed request line, headers or body");
    }

    private final int maxConnections;

    RejectionResponses(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    /**
     * The routing of an HTTP/2 connection opened beyond the cap (docs/architecture.md, "HTTP/2"): each of its streams
     * is answered the same 503 an HTTP/1 connection's first request gets. The connection itself is not closed, as a
     * stream has no say over it; it ends when the client ends it, or on the idle deadline.
     */
    Router overCapRouter() {
        return Router.builder()
                .addRouting(HttpRouting.builder()
                        .any(this::overCap))
                .build();
    }

    private void overCap(ServerRequest req, ServerResponse res) {
        CorsHeaders.add(req, res);
        res.status(Status.SERVICE_UNAVAILABLE_503);
        res.header(HeaderNames.CONTENT_TYPE, ShapeResponses.JSON);
        res.header(HeaderNames.RETRY_AFTER, "1");
        res.send(ErrorBodies.message("Too many open connections (limit: " + maxConnections + "), please retry"));
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                    ServerResponseHeaders responseHeaders, String message) {
        int code = defaultStatus.code();
        boolean routed = !request.method().isEmpty() && eventType != EventType.HTTP_VERSION_NOT_SUPPORTED;
        if (code >= 500 && code != 503 && !(routed && code == 500)) code = 400;
        byte[] body = switch (code) {
            case 400 -> malformed();
            case 413 -> ErrorBodies.error("Request body too large");
            case 414 -> ErrorBodies.message("Request URI too long");
            case 500 -> ErrorBodies.error("Internal server error");
            case 503 -> ErrorBodies.message("Too many open connections (limit: " + maxConnections
                    + "), please retry");
            default -> ErrorBodies.message(Status.create(code).reasonPhrase());
        };
        TransportResponse.Builder b = TransportResponse.builder()
                .status(Status.create(code))
                .headers(responseHeaders)
                .keepAlive(false)
                .header(HeaderNames.CONTENT_TYPE, ShapeResponses.JSON)
                .header(HeaderNames.create("electric-server"), CorsHeaders.SERVER)
                .header(HeaderNames.create("access-control-expose-headers"), CorsHeaders.EXPOSED);
        String origin = request.headers().first(HeaderNames.ORIGIN).orElse("*");
        b.header(HeaderNames.create("access-control-allow-origin"), origin);
        if (!"*".equals(origin)) b.header(HeaderNames.VARY, "origin");
        if (code == 503) b.header(HeaderNames.RETRY_AFTER, "1");
        return b.entity(body).build();
    }
}
