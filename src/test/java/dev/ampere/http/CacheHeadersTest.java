package dev.ampere.http;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class CacheHeadersTest {
    static final CacheHeaders.Config DEFAULT = CacheHeaders.Config.DEFAULT;

    static CacheHeaders.Values of(String method, int status, boolean beforeAll, boolean live, boolean sse,
                                  boolean subset, boolean newHandle, CacheHeaders.Config c) {
        return CacheHeaders.of(new CacheHeaders.Response(method, status, beforeAll, live, sse, subset, newHandle), c)
                .orElseThrow();
    }

    static String cc(String method, int status, boolean beforeAll, boolean live, boolean sse) {
        CacheHeaders.Values v = of(method, status, beforeAll, live, sse, false, true, DEFAULT);
        assertEquals(Optional.empty(), v.surrogateControl());
        return v.cacheControl();
    }

    @Test
    void successfulGets() {
        assertEquals("public, max-age=604800, s-maxage=3600, stale-while-revalidate=2629746",
                cc("GET", 200, true, false, false));
        assertEquals("public, max-age=604800, s-maxage=3600, stale-while-revalidate=2629746",
                cc("HEAD", 304, true, false, false));
        assertEquals("public, max-age=5, stale-while-revalidate=5", cc("GET", 200, false, true, false));
        assertEquals("public, max-age=59", cc("GET", 200, false, true, true));
        assertEquals("public, max-age=60, stale-while-revalidate=300", cc("GET", 200, false, false, false));
        assertEquals("public, max-age=60, stale-while-revalidate=300", cc("GET", 200, false, false, true),
                "sse without live is the non-live case");
    }

    @Test
    void configuredAges() {
        CacheHeaders.Config c = new CacheHeaders.Config(1, 3, 1500, true);
        assertEquals("public, max-age=1, stale-while-revalidate=3",
                of("GET", 200, false, false, false, false, false, c).cacheControl());
        assertEquals("public, max-age=1", of("GET", 200, false, true, true, false, false, c).cacheControl(),
                "sse max-age is at least 1");
        assertEquals(Optional.empty(), CacheHeaders.of(new CacheHeaders.Response("GET", 200, true, false, false,
                false, false), new CacheHeaders.Config(60, 300, 60_000, false)));
    }

    @Test
    void conflictsAndErrors() {
        assertEquals("public, max-age=60, must-revalidate",
                of("GET", 409, false, true, false, false, true, DEFAULT).cacheControl());
        assertEquals("public, max-age=1, must-revalidate",
                of("GET", 409, false, false, false, false, false, DEFAULT).cacheControl());
        for (int status : new int[]{400, 404, 500, 503}) {
            CacheHeaders.Values v = of("GET", status, true, false, false, false, false, DEFAULT);
            assertEquals(new CacheHeaders.Values("no-store", Optional.of("no-store")), v);
        }
    }

    @Test
    void nonGetMethodsAndSubsets() {
        assertEquals(new CacheHeaders.Values("no-cache", Optional.empty()),
                of("POST", 200, false, false, false, false, false, DEFAULT));
        assertEquals(new CacheHeaders.Values("no-cache", Optional.empty()),
                of("DELETE", 400, false, false, false, false, false, DEFAULT), "DELETE errors too");
        assertEquals(new CacheHeaders.Values("no-cache", Optional.empty()),
                of("POST", 409, false, false, false, false, true, DEFAULT));
        assertEquals(new CacheHeaders.Values("no-cache", Optional.empty()),
                of("GET", 200, true, false, false, true, false, DEFAULT));
        assertEquals(new CacheHeaders.Values("no-store", Optional.of("no-store")),
                of("GET", 400, false, false, false, true, false, DEFAULT), "a failed subset is an ordinary error");
    }
}
