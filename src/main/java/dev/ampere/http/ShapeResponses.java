package dev.ampere.http;

import io.helidon.webserver.http.ServerResponse;

import java.util.Optional;

/**
 * Writes the small, fixed responses of the shape endpoint: errors with their cache headers (docs/protocol.md §1.4, §1.8)
 * and the 409 must-refetch.
 *
 * <p>Stateless.
 */
final class ShapeResponses {
    static final String JSON = "application/json; charset=utf-8";

    private ShapeResponses() {}

    static void json(ServerResponse res, String method, int status, byte[] body, CacheHeaders.Config cache) {
        res.status(status);
        res.header("content-type", JSON);
        cacheHeaders(res, new CacheHeaders.Response(method, status, false, false, false, false, false), cache);
        res.send(body);
    }

    static void invalid(ServerResponse res, String method, RequestErrors errors, CacheHeaders.Config cache) {
        json(res, method, 400, ErrorBodies.invalidRequest(errors), cache);
    }

    static void unavailable(ServerResponse res, String method, String message, int retryAfter, CacheHeaders.Config cache) {
        res.header("retry-after", Integer.toString(retryAfter));
        json(res, method, 503, ErrorBodies.message(message), cache);
    }

    static void mustRefetch(ServerResponse res, String method, Optional<String> newHandle, CacheHeaders.Config cache) {
        res.status(409);
        res.header("content-type", JSON);
        newHandle.ifPresent(h -> res.header("electric-handle", h));
        cacheHeaders(res, new CacheHeaders.Response(method, 409, false, false, false, false, newHandle.isPresent()), cache);
        res.send(ErrorBodies.mustRefetch());
    }

    static void cacheHeaders(ServerResponse res, CacheHeaders.Response r, CacheHeaders.Config cache) {
        CacheHeaders.of(r, cache).ifPresent(v -> {
            res.header("cache-control", v.cacheControl());
            v.surrogateControl().ifPresent(s -> res.header("surrogate-control", s));
        });
    }
}
