package dev.ampere.http;

import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Headers every response carries (docs/protocol.md §1.1): {@code electric-server}, and CORS that echoes the request's
 * {@code Origin} (or {@code *}) with the methods allowed on the path and the Electric headers exposed to scripts.
 *
 * <p>Stateless; runs on each request's thread.
 */
final class CorsHeaders {
    static final String SERVER = "ElectricSQL/1.7.12 (Ampere)";
    static final String EXPOSED = "electric-cursor, electric-handle, electric-has-data, electric-offset, "
            + "electric-schema, electric-up-to-date, electric-internal-known-error, retry-after";

    private CorsHeaders() {}

    static void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String origin = req.headers().first(io.helidon.http.HeaderNames.ORIGIN).orElse("*");
        String path = req.path().path();
        boolean shapePath = path.equals("/v1/shape");
        res.header("electric-server", SERVER);
        res.header("access-control-allow-origin", origin);
        res.header("access-control-allow-methods", shapePath ? "GET, POST, HEAD, DELETE, OPTIONS" : "GET, HEAD");
        res.header("access-control-expose-headers", EXPOSED);
        if (!"*".equals(origin)) res.header("vary", "origin");
        chain.proceed();
    }
}
