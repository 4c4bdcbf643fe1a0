package dev.ampere.http;

import io.helidon.webserver.http.Filter;

/**
 * The routing filter that reports every finished request to {@link HttpMetrics}, by route (a fixed small set, so
 * no client can make new series), method and status.
 *
 * <p>Stateless.
 */
final class RequestCounting {
    private RequestCounting() {}

    static Filter filter(HttpMetrics metrics) {
        return (chain, req, res) -> {
            try {
                chain.proceed();
            } finally {
                metrics.requestDone(route(req.path().rawPath()), req.prologue().method().text(), res.status().code());
            }
        };
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
