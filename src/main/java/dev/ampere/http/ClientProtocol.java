package dev.ampere.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.ServerRequest;

/**
 * Whether the request being answered came as HTTP/1.0 (docs/protocol.md §1.4). Helidon hands every request to the
 * routes as 1.1 (see {@link GuardedConnection}), which marks a 1.0 request's headers with {@link #MARKER} after
 * removing any the client sent; this filter turns the mark into a scoped value for {@link ResponseBody}, which then
 * never uses chunked framing: a 1.0 body has a Content-Length, and only an event stream is ended by the close.
 *
 * <p>Stateless; the scoped value is bound on each request's thread for the time of its handling.
 */
final class ClientProtocol {
    static final HeaderName MARKER = HeaderNames.create("x-ampere-http-1-0");
    private static final ScopedValue<Boolean> HTTP_1_0 = ScopedValue.newInstance();

    private ClientProtocol() {}

    static void mark(WritableHeaders<?> headers) {
        headers.set(MARKER, "1");
    }

    /** True while a request that came as HTTP/1.0 is being answered on this thread. */
    static boolean http10() {
        return HTTP_1_0.orElse(Boolean.FALSE);
    }

    /** True when the request came on an HTTP/2 stream (where connection-level headers are forbidden). */
    static boolean http2(ServerRequest req) {
        return req.prologue().protocolVersion().startsWith("2");
    }

    /** Runs the rest of the chain, inside the HTTP/1.0 scope when the request came as HTTP/1.0. */
    static void proceed(FilterChain chain, RoutingRequest req) {
        if (req.headers().contains(MARKER)) {
            ScopedValue.where(HTTP_1_0, Boolean.TRUE).run(chain::proceed);
        } else {
            chain.proceed();
        }
    }
}
