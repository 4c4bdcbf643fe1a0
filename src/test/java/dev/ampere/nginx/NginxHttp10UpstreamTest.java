package dev.ampere.nginx;

/**
 * {@link NginxCacheTest}'s cases with nginx's default upstream protocol, as Electric's own dev config runs it:
 * HTTP/1.0, one connection per request, no chunked bodies. Every guarantee must hold there too. In particular a body
 * Ampere cannot finish must still never be stored, although HTTP/1.0 has no last chunk to leave out: nginx stores a
 * body without a Content-Length that ends with the connection's orderly close (FIN) as complete, and drops one whose
 * connection is reset. So an HTTP/1.0 response carries a Content-Length (a failure before it is sent is an error
 * status), or, failing midway, resets its connection.
 */
class NginxHttp10UpstreamTest extends NginxCacheTest {
    @Override
    boolean http11Upstream() {
        return false;
    }
}
