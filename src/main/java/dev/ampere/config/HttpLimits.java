package dev.ampere.config;

import java.time.Duration;

/**
 * Limits on client connections to the HTTP server (docs/protocol.md §5).
 *
 * <p>Immutable.
 *
 * @param headerReadTimeout {@code AMPERE_HEADER_READ_TIMEOUT}, 30 s: the longest a request's line and headers may take
 *                          to arrive, counted from their first byte (a fresh connection from its opening)
 * @param readTimeout       {@code ELECTRIC_TCP_READ_TIMEOUT}, 60 s as in Electric: the longest a kept-alive connection
 *                          may wait idle for its next request, and any single read of a request body
 * @param sendTimeout       {@code ELECTRIC_TCP_SEND_TIMEOUT}, 30 s as in Electric: the longest one write of a response
 *                          may wait for a client that does not read
 * @param maxConnections    {@code AMPERE_MAX_CONNECTIONS}, 10000: open connections beyond it get a 503 to their
 *                          request and are closed
 */
public record HttpLimits(Duration headerReadTimeout, Duration readTimeout, Duration sendTimeout, int maxConnections) {
    public static final HttpLimits DEFAULT = new HttpLimits(Duration.ofSeconds(30), Duration.ofSeconds(60),
            Duration.ofSeconds(30), 10_000);

    static HttpLimits read(EnvReader r) {
        return new HttpLimits(
                r.duration("AMPERE_HEADER_READ_TIMEOUT", DEFAULT.headerReadTimeout),
                r.duration("ELECTRIC_TCP_READ_TIMEOUT", DEFAULT.readTimeout),
                r.duration("ELECTRIC_TCP_SEND_TIMEOUT", DEFAULT.sendTimeout),
                r.integer("AMPERE_MAX_CONNECTIONS", DEFAULT.maxConnections, 1, 1_000_000));
    }
}
