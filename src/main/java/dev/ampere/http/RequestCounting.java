package dev.ampere.http;

import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Reports every finished request (from {@link RequestFilter}) to {@link HttpMetrics}, by route (a fixed small set, so
 * no client can make new series), method and status.
 *
 * <p>Stateless.
 */
final class RequestCounting {
    private RequestCounting() {}

    /** Reports a finished request. */
    static void done(HttpMetrics metrics, RoutingRequest req, RoutingResponse res) {
        metrics.requestDone(route(req.path().rawPath()), req.prologue().method().text(), res.status().code());
    }

    static String route(String path) {
        return switch (path) {
            case "/v1/shape" -> "shape";
            case "/v1/health" -> "health";
            case "/status", "/status.json" -> "status";
            case "/" -> "root";
            default -> "other";
        };
    }
}
