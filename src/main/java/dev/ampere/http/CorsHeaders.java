package dev.ampere.http;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

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

    // Constant headers are made once and shared by every response (a parked long-poll holds its headers while it
    // waits); only the echoed origin is per request.
    private static final Header SERVER_HEADER = HeaderValues.createCached(HeaderNames.create("electric-server"), SERVER);
    private static final HeaderName ALLOW_ORIGIN = HeaderNames.create("access-control-allow-origin");
    private static final Header ANY_ORIGIN = HeaderValues.createCached(ALLOW_ORIGIN, "*");
    private static final HeaderName ALLOW_METHODS = HeaderNames.create("access-control-allow-methods");
    private static final Header SHAPE_METHODS = HeaderValues.createCached(ALLOW_METHODS,
            "GET, POST, HEAD, DELETE, OPTIONS");
    private static final Header OTHER_METHODS = HeaderValues.createCached(ALLOW_METHODS, "GET, HEAD");
    private static final Header EXPOSE = HeaderValues.createCached(
            HeaderNames.create("access-control-expose-headers"), EXPOSED);
    private static final Header VARY_ORIGIN = HeaderValues.createCached(HeaderNames.VARY, "origin");

    private CorsHeaders() {}

    static void add(ServerRequest req, ServerResponse res) {
        String origin = req.headers().first(HeaderNames.ORIGIN).orElse("*");
        boolean shapePath = req.path().path().equals("/v1/shape");
        res.header(SERVER_HEADER);
        res.header("*".equals(origin) ? ANY_ORIGIN : HeaderValues.create(ALLOW_ORIGIN, origin));
        res.header(shapePath ? SHAPE_METHODS : OTHER_METHODS);
        res.header(EXPOSE);
        if (!"*".equals(origin)) res.header(VARY_ORIGIN);
    }
}
