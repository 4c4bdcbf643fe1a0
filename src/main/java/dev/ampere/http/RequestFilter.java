package dev.ampere.http;

import io.helidon.webserver.http.Filter;

/**
 * The one routing filter every request passes through: the headers every response carries ({@link CorsHeaders}), the
 * HTTP/1.0 scope ({@link ClientProtocol}) and the request count ({@link RequestCounting}). One filter rather than
 * three because a parked long-poll keeps every frame of its stack on the heap while it waits, and each filter in
 * Helidon's chain adds three frames to it.
 *
 * <p>Stateless; runs on each request's thread.
 */
final class RequestFilter {
    private RequestFilter() {}

    static Filter of(HttpMetrics metrics) {
        return (chain, req, res) -> {
            CorsHeaders.add(req, res);
            try {
                ClientProtocol.proceed(chain, req);
            } finally {
                RequestCounting.done(metrics, req, res);
            }
        };
    }
}
