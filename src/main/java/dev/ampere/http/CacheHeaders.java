package dev.ampere.http;

import java.util.Optional;

/**
 * The {@code cache-control} (and {@code surrogate-control}) values of a shape API response (docs/protocol.md §1.8),
 * as Electric's {@code Response.put_cache_headers} chooses them, first match wins:
 * <ol>
 *   <li>a successful subset response: {@code no-cache};</li>
 *   <li>any method but GET/HEAD/OPTIONS (POST, DELETE), whatever the status: {@code no-cache};</li>
 *   <li>409: {@code public, max-age=60, must-revalidate}, or {@code max-age=1} when no new handle is known;</li>
 *   <li>other status ≥ 400: {@code no-store} plus {@code surrogate-control: no-store};</li>
 *   <li>{@code offset=-1}: one week private, one hour shared, one month stale-while-revalidate;</li>
 *   <li>live SSE: {@code public, max-age=<sse timeout in s − 1, at least 1>};</li>
 *   <li>live long-poll: {@code public, max-age=5, stale-while-revalidate=5};</li>
 *   <li>otherwise: {@code public, max-age=<max age>, stale-while-revalidate=<stale age>}.</li>
 * </ol>
 * HEAD is served as GET (Plug.Head), so it counts as GET here.
 *
 * <p>Stateless and thread-safe.
 */
public final class CacheHeaders {
    public static final String OFFSET_MINUS_ONE =
            "public, max-age=604800, s-maxage=3600, stale-while-revalidate=2629746";
    public static final String LIVE_LONG_POLL = "public, max-age=5, stale-while-revalidate=5";

    /** The header values; {@code surrogateControl} is present only for errors that must never be cached. */
    public record Values(String cacheControl, Optional<String> surrogateControl) {
        static Values of(String cacheControl) {
            return new Values(cacheControl, Optional.empty());
        }
    }

    /**
     * What a response is, as far as caching goes.
     *
     * @param method         the HTTP method as received ({@code GET}, {@code HEAD}, {@code POST}, ...)
     * @param status         the response status
     * @param offsetBeforeAll the request's offset was {@code -1}
     * @param live           {@code live=true}
     * @param sse            {@code live_sse=true}
     * @param subset         a subset snapshot response
     * @param hasNewHandle   for a 409: a replacement handle is sent in {@code electric-handle}
     */
    public record Response(String method, int status, boolean offsetBeforeAll, boolean live, boolean sse,
                           boolean subset, boolean hasNewHandle) {}

    /**
     * Configuration: {@code ELECTRIC_CACHE_MAX_AGE} (60), {@code ELECTRIC_CACHE_STALE_AGE} (300), the SSE timeout in
     * ms (60 000), and whether cache headers are sent at all.
     */
    public record Config(long maxAgeSeconds, long staleAgeSeconds, long sseTimeoutMs, boolean enabled) {
        public static final Config DEFAULT = new Config(60, 300, 60_000, true);
    }

    private CacheHeaders() {}

    /** The headers to set; empty when cache headers are switched off. */
    public static Optional<Values> of(Response r, Config config) {
        if (!config.enabled()) return Optional.empty();
        return Optional.of(choose(r, config));
    }

    private static Values choose(Response r, Config config) {
        if (r.subset() && r.status() < 400) return Values.of("no-cache");
        String m = r.method();
        if (!m.equals("GET") && !m.equals("HEAD") && !m.equals("OPTIONS")) return Values.of("no-cache");
        if (r.status() == 409) {
            return Values.of("public, max-age=" + (r.hasNewHandle() ? 60 : 1) + ", must-revalidate");
        }
        if (r.status() >= 400) return new Values("no-store", Optional.of("no-store"));
        if (r.offsetBeforeAll()) return Values.of(OFFSET_MINUS_ONE);
        if (r.live() && r.sse()) return Values.of("public, max-age=" + Math.max(1, config.sseTimeoutMs() / 1000 - 1));
        if (r.live()) return Values.of(LIVE_LONG_POLL);
        return Values.of("public, max-age=" + config.maxAgeSeconds() + ", stale-while-revalidate="
                + config.staleAgeSeconds());
    }
}
