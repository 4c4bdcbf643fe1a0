package dev.ampere.nginx;

import dev.ampere.testing.RawHttp;
import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * nginx from Debian, configured by scripts/nginx/ampere-cache.conf, as the caching proxy in front of a real Ampere
 * on a real Postgres: what the cache may collapse and keep is exactly what Ampere's headers allow
 * (docs/protocol.md §1.7–§1.9), and nothing broken or stale is ever served as current. Requests that reach Ampere
 * are counted by a {@link CountingRelay} between nginx and Ampere.
 *
 * <p>Ampere runs with {@code ELECTRIC_CACHE_MAX_AGE=1} and {@code ELECTRIC_CACHE_STALE_AGE=0}, so non-live entries
 * expire within two seconds (nginx counts whole seconds) and are then revalidated, never served stale. Each test
 * uses its own table, so its URLs, and so its cache entries, are its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NginxCacheTest {
    private RunningAmpere a;
    private CountingRelay relay;
    private NginxProxy nginx;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** Whether nginx talks HTTP/1.1 with keep-alive to Ampere (the repository's config) or its default HTTP/1.0. */
    boolean http11Upstream() {
        return true;
    }

    @BeforeAll
    void start() throws Exception {
        NginxProxy.binary(); // fail at once, before Postgres starts, when nginx is missing
        a = new RunningAmpere("ELECTRIC_CACHE_MAX_AGE", "1", "ELECTRIC_CACHE_STALE_AGE", "0");
        relay = new CountingRelay(a.ampere.httpPort());
        nginx = NginxProxy.start(relay.port(), http11Upstream());
    }

    @AfterAll
    void stop() throws Exception {
        if (nginx != null) nginx.close();
        if (relay != null) relay.close();
        if (a != null) a.close();
    }

    @Test
    void concurrentIdenticalInitialRequestsReachAmpereOnce() throws Exception {
        a.sql("CREATE TABLE burst (id int PRIMARY KEY, title text)",
                "INSERT INTO burst SELECT g, 'title ' || g FROM generate_series(1, 2000) g");
        String target = shape("table", "burst", "offset", "-1");
        int clients = 20;
        List<HttpResponse<String>> responses = concurrently(clients, target);

        Set<String> bodies = responses.stream().map(HttpResponse::body).collect(Collectors.toSet());
        Set<String> handles = responses.stream().map(r -> header(r, "electric-handle")).collect(Collectors.toSet());
        for (HttpResponse<String> r : responses) assertEquals(200, r.statusCode(), r.body());
        assertEquals(1, bodies.size(), "every client gets the same body");
        assertEquals(1, handles.size(), "every client gets the same shape");
        String body = bodies.iterator().next();
        assertTrue(body.startsWith("[") && body.endsWith("]"), "a complete JSON array");
        assertEquals(2000, count(body, "\"operation\":\"insert\""), "every row is in it");
        assertEquals(1, relay.requests(target::equals).size(), "one request reached Ampere:\n" + nginx.accessLog());
        assertEquals(1, responses.stream().filter(r -> header(r, "x-proxy-cache").equals("MISS")).count(),
                "the others were answered from the cache");
    }

    @Test
    void anExpiredChunkRevalidatesWithItsETagTo304() throws Exception {
        a.sql("CREATE TABLE reval (id int PRIMARY KEY, title text)", "INSERT INTO reval VALUES (1, 'one')");
        HttpResponse<String> first = get(shape("table", "reval", "offset", "-1"));
        String handle = header(first, "electric-handle");
        String catchUp = shape("table", "reval", "offset", header(first, "electric-offset"), "handle", handle);

        HttpResponse<String> stored = get(catchUp);
        assertEquals(200, stored.statusCode(), stored.body());
        assertEquals("MISS", header(stored, "x-proxy-cache"));
        String etag = header(stored, "etag");
        HttpResponse<String> hit = get(catchUp);
        assertEquals("HIT", header(hit, "x-proxy-cache"));
        assertEquals(1, relay.requests(catchUp::equals).size());

        HttpResponse<String> revalidated = firstAfterExpiry(catchUp);
        assertEquals("REVALIDATED", header(revalidated, "x-proxy-cache"), nginx.accessLog());
        assertEquals(200, revalidated.statusCode());
        assertEquals(stored.body(), revalidated.body());
        assertEquals(etag, header(revalidated, "etag"));
        List<CountingRelay.Exchange> upstream = relay.awaitExchanges(catchUp::equals, 2);
        assertEquals(2, upstream.size(), "the stored copy and its revalidation");
        assertEquals(etag, upstream.get(1).request().header("if-none-match"), "nginx asked with the stored ETag");
        assertEquals(304, upstream.get(1).status(), "and Ampere answered 304");
    }

    @Test
    void a409AndTheRequestAfterItAreNeverAnsweredFromAStaleCache() throws Exception {
        a.sql("CREATE TABLE rot (id int PRIMARY KEY, title text)", "INSERT INTO rot VALUES (1, 'old')");
        String initial = shape("table", "rot", "offset", "-1");
        HttpResponse<String> first = get(initial);
        String h1 = header(first, "electric-handle");
        String catchUp = shape("table", "rot", "offset", header(first, "electric-offset"), "handle", h1);
        HttpResponse<String> upToDate = get(catchUp);
        assertEquals(200, upToDate.statusCode(), upToDate.body());
        String live = shape("table", "rot", "offset", header(upToDate, "electric-offset"), "handle", h1, "live", "true");

        // A live request waits at Ampere (through nginx's cache lock) while the table is truncated.
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HttpResponse<String>> waiting = pool.submit(() -> get(live));
            awaitUpstream(live, 1);
            a.sql("TRUNCATE rot", "INSERT INTO rot VALUES (2, 'new')");
            HttpResponse<String> rotated = waiting.get();
            assertEquals(409, rotated.statusCode(), rotated.body());
            assertEquals("[{\"headers\":{\"control\":\"must-refetch\"}}]", rotated.body());
            assertNotEquals("HIT", header(rotated, "x-proxy-cache"));
        }

        // The client's next request (the official client's `<handle>-next`) reaches Ampere and sees the new shape.
        String refetch = shape("table", "rot", "offset", "-1", "handle", h1 + "-next");
        HttpResponse<String> fresh = get(refetch);
        assertEquals(200, fresh.statusCode(), fresh.body());
        assertEquals("MISS", header(fresh, "x-proxy-cache"));
        String h2 = header(fresh, "electric-handle");
        assertNotEquals(h1, h2);
        assertTrue(fresh.body().contains("\"title\":\"new\"") && !fresh.body().contains("\"title\":\"old\""), fresh.body());

        // The old handle's catch-up, cached as a 200, is revalidated once it expires, and Ampere's 409 replaces it:
        // the stale 200 is not served again.
        HttpResponse<String> gone = firstAfterExpiry(catchUp);
        assertEquals(409, gone.statusCode(), gone.body() + "\n" + nginx.accessLog());
        assertEquals(h2, header(gone, "electric-handle"), "the 409 points at the new shape");
        HttpResponse<String> next = get(shape("table", "rot", "offset", "-1", "handle", h2));
        assertEquals(200, next.statusCode(), next.body());
        assertEquals(h2, header(next, "electric-handle"));
        assertTrue(next.body().contains("\"title\":\"new\"") && !next.body().contains("\"title\":\"old\""), next.body());

        // By design (docs/protocol.md §1.8) chunk 0 under a handle never changes, so the handle-less initial request
        // may still be answered from the cache with the old handle: the client then learns of the rotation from the
        // 409 above, at its next request.
        assertEquals(h1, header(get(initial), "electric-handle"));
    }

    @Test
    void errorsAreNotCached() throws Exception {
        a.sql("CREATE TABLE bad (id int PRIMARY KEY)", "INSERT INTO bad VALUES (1)");
        for (String target : List.of(shape("table", "bad", "offset", "-1", "where", "id / 0 = 1"),
                shape("table", "bad", "offset", "bogus"),
                shape("table", "no_such_table", "offset", "-1"))) {
            for (int i = 1; i <= 2; i++) {
                HttpResponse<String> r = get(target);
                assertEquals(400, r.statusCode(), target + ": " + r.body());
                assertEquals("MISS", header(r, "x-proxy-cache"), target);
                assertEquals(i, relay.requests(target::equals).size(), target + " reaches Ampere every time");
            }
        }
    }

    @Test
    void liveRequestsOfOneUrlShareOneUpstreamRequestAndEachNextUrlIsNew() throws Exception {
        a.sql("CREATE TABLE feed (id int PRIMARY KEY, title text)", "INSERT INTO feed VALUES (1, 'one')");
        HttpResponse<String> first = get(shape("table", "feed", "offset", "-1"));
        String handle = header(first, "electric-handle");
        HttpResponse<String> upToDate = get(shape("table", "feed", "offset", header(first, "electric-offset"), "handle", handle));
        String offset = header(upToDate, "electric-offset");
        String live = shape("table", "feed", "offset", offset, "handle", handle, "live", "true");

        // Ten clients long-poll the same URL; one request waits at Ampere, the others on nginx's cache lock.
        List<HttpResponse<String>> responses;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<List<HttpResponse<String>>> polls = pool.submit(() -> concurrently(10, live));
            awaitUpstream(live, 1);
            a.sql("INSERT INTO feed VALUES (2, 'two')");
            responses = polls.get();
        }
        for (HttpResponse<String> r : responses) {
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"title\":\"two\""), r.body());
        }
        assertEquals(1, responses.stream().map(HttpResponse::body).distinct().count());
        assertEquals(1, responses.stream().map(r -> header(r, "electric-cursor")).distinct().count());
        assertEquals(1, relay.requests(live::equals).size(), "collapsed into one request:\n" + nginx.accessLog());
        assertEquals("public, max-age=5, stale-while-revalidate=5", header(responses.getFirst(), "cache-control"));

        // Each client's next request carries the new offset and cursor: a URL never served before, so it reaches Ampere.
        String cursor = header(responses.getFirst(), "electric-cursor");
        String next = shape("table", "feed", "offset", header(responses.getFirst(), "electric-offset"), "handle", handle,
                "live", "true", "cursor", cursor);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HttpResponse<String>> poll = pool.submit(() -> get(next));
            awaitUpstream(next, 1);
            a.sql("INSERT INTO feed VALUES (3, 'three')");
            HttpResponse<String> r = poll.get();
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("MISS", header(r, "x-proxy-cache"));
            assertTrue(r.body().contains("\"title\":\"three\""), r.body());
            assertNotEquals(cursor, header(r, "electric-cursor"), "the cursor moves, so the next URL is new again");
        }

        // Requests that differ only in their cursor are different URLs: neither is answered with the other's response.
        String offset3 = header(get(shape("table", "feed", "offset", offset, "handle", handle)), "electric-offset");
        String cursorA = shape("table", "feed", "offset", offset3, "handle", handle, "live", "true", "cursor", "1");
        String cursorB = shape("table", "feed", "offset", offset3, "handle", handle, "live", "true", "cursor", "2");
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HttpResponse<String>> pollA = pool.submit(() -> get(cursorA));
            Future<HttpResponse<String>> pollB = pool.submit(() -> get(cursorB));
            awaitUpstream(cursorA, 1);
            awaitUpstream(cursorB, 1);
            a.sql("INSERT INTO feed VALUES (4, 'four')");
            assertTrue(pollA.get().body().contains("\"title\":\"four\""));
            assertTrue(pollB.get().body().contains("\"title\":\"four\""));
        }
        assertEquals(1, relay.requests(cursorA::equals).size());
        assertEquals(1, relay.requests(cursorB::equals).size());
    }

    @Test
    void sseStreamsPassThroughAsTheyComeAndAreNeverShared() throws Exception {
        a.sql("CREATE TABLE events (id int PRIMARY KEY, title text)", "INSERT INTO events VALUES (1, 'one')");
        HttpResponse<String> first = get(shape("table", "events", "offset", "-1"));
        String handle = header(first, "electric-handle");
        String offset = header(get(shape("table", "events", "offset", header(first, "electric-offset"), "handle", handle)),
                "electric-offset");
        String sse = shape("table", "events", "offset", offset, "handle", handle, "live", "true", "live_sse", "true");

        // Two clients on the same URL at once: each has its own stream from Ampere (the second does not wait on the
        // first through the cache lock), and a change reaches both while their 60 s streams are open.
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nginx.port + sse))
                .timeout(Duration.ofSeconds(30)).GET().build();
        HttpResponse<InputStream> one = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body1 = one.body()) {
            HttpResponse<InputStream> two = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body2 = two.body()) {
                for (HttpResponse<InputStream> r : List.of(one, two)) {
                    assertEquals(200, r.statusCode());
                    assertTrue(header(r, "content-type").startsWith("text/event-stream"), r.headers().toString());
                }
                assertEquals(2, relay.requests(sse::equals).size(), "each stream is Ampere's own");
                // Each opens with a comment (docs/protocol.md §1.10): nothing holds it back before there is data.
                assertTrue(readUntil(body1, ": keep-alive\n\n").startsWith(": keep-alive"));
                assertTrue(readUntil(body2, ": keep-alive\n\n").startsWith(": keep-alive"));
                a.sql("INSERT INTO events VALUES (2, 'two')");
                assertTrue(readUntil(body1, "\"title\":\"two\"").contains("data: "));
                assertTrue(readUntil(body2, "\"title\":\"two\"").contains("data: "));
            }
        }
    }

    @Test
    void aResponseCutOffMidBodyIsNeverCached() throws Exception {
        // 4,000 rows of ~300 bytes (about 1.2 MB); the where clause fails at row 3,900, after about 1 MB was sent.
        a.sql("CREATE TABLE big (id int PRIMARY KEY, title text)",
                "INSERT INTO big SELECT g, repeat('x', 200) || g FROM generate_series(1, 4000) g");
        String target = shape("table", "big", "offset", "-1", "where", "100 / (id - 3900) > -1000");

        for (int attempt = 1; attempt <= 2; attempt++) {
            byte[] raw = rawGet(target);
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            String head = text.substring(0, Math.max(0, text.indexOf("\r\n\r\n"))).toLowerCase();
            List<CountingRelay.Exchange> upstream = relay.awaitExchanges(target::equals, attempt);
            assertEquals(attempt, upstream.size(), "attempt " + attempt + " reached Ampere:\n" + nginx.accessLog());
            assertTrue(head.contains("x-proxy-cache: miss"), "attempt " + attempt + " is not from the cache:\n" + head);
            if (text.startsWith("HTTP/1.1 200")) {
                // Streamed and cut off: the client's transfer ends without the last chunk.
                assertTrue(head.contains("transfer-encoding: chunked"), "a streamed body");
                assertFalse(text.endsWith("0\r\n\r\n"), "the client's body must not be terminated");
                assertFalse(text.endsWith("]"), "nor the JSON array closed");
                assertTrue(raw.length > 300_000, "the body had started: " + raw.length + " bytes");
                assertFalse(upstream.getLast().complete(), "Ampere cut the response off");
            } else {
                // Or, where Ampere holds the whole body before sending it (HTTP/1.0 has no last chunk to leave out),
                // the failure is the where clause's 400 (docs/protocol.md §1.4), which is not stored either.
                assertFalse(http11Upstream(), "over HTTP/1.1 a body this large streams, so its failure is an abort:\n" + head);
                assertTrue(text.startsWith("HTTP/1.1 400"), head);
                assertTrue(text.contains("division by zero"), text);
            }
        }

        // Clients that read it as a client library does see a failed transfer or the 400, never a 200.
        List<Future<HttpResponse<String>>> polls = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 3; i++) polls.add(pool.submit(() -> get(target)));
            for (Future<HttpResponse<String>> f : polls) {
                try {
                    HttpResponse<String> r = f.get();
                    assertEquals(400, r.statusCode(), "a cut-off body was taken as complete: " + r.body().length() + " chars");
                } catch (ExecutionException e) {
                    assertInstanceOf(IOException.class, e.getCause());
                }
            }
        }
        assertTrue(relay.exchanges(target::equals).stream().noneMatch(e -> e.status() == 200 && e.complete()),
                "Ampere never finished a 200 for it");

        // The same table's healthy shape is cached and served whole.
        String healthy = shape("table", "big", "offset", "-1", "where", "id <= 3");
        assertEquals(200, get(healthy).statusCode());
        HttpResponse<String> cached = get(healthy);
        assertEquals("HIT", header(cached, "x-proxy-cache"));
        assertTrue(cached.body().endsWith("]"), cached.body());
    }

    @Test
    void gzipAndIdentityClientsGetTheirOwnCachedVariant() throws Exception {
        a.sql("CREATE TABLE zipped (id int PRIMARY KEY, title text)",
                "INSERT INTO zipped SELECT g, 'title ' || md5(g::text) FROM generate_series(1, 500) g");
        String target = shape("table", "zipped", "offset", "-1");
        HttpResponse<byte[]> gz = getBytes(target, "gzip");
        HttpResponse<byte[]> plain = getBytes(target, null);
        assertEquals(200, gz.statusCode());
        assertEquals(200, plain.statusCode());
        assertEquals("gzip", header(gz, "content-encoding"));
        assertEquals("", header(plain, "content-encoding"), "an identity client never gets the gzip variant");
        assertTrue(gz.headers().allValues("vary").stream().anyMatch(v -> v.toLowerCase().contains("accept-encoding")),
                gz.headers().toString());
        assertFalse(header(gz, "etag").startsWith("W/"), "Ampere's own strong gzip ETag, not nginx's weakened one");
        assertArrayEquals(plain.body(), gunzip(gz.body()), "the same content");
        assertEquals("MISS", header(gz, "x-proxy-cache"));
        assertEquals("MISS", header(plain, "x-proxy-cache"), "a different variant is not a hit");
        assertEquals(2, relay.requests(target::equals).size(), "one upstream request per variant:\n" + nginx.accessLog());

        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> gzHit = getBytes(target, "gzip");
            HttpResponse<byte[]> plainHit = getBytes(target, null);
            assertEquals("HIT", header(gzHit, "x-proxy-cache"), nginx.accessLog());
            assertEquals("HIT", header(plainHit, "x-proxy-cache"), nginx.accessLog());
            assertEquals("gzip", header(gzHit, "content-encoding"));
            assertEquals("", header(plainHit, "content-encoding"));
            assertArrayEquals(gz.body(), gzHit.body());
            assertArrayEquals(plain.body(), plainHit.body());
        }
        assertEquals(2, relay.requests(target::equals).size(), "both variants served from the cache");
    }

    @Test
    void nginxKeepsItsUpstreamConnectionsAlive() throws Exception {
        a.sql("CREATE TABLE keep (id int PRIMARY KEY)");
        for (int i = 0; i < 5; i++) get(shape("table", "keep", "offset", "-1", "where", "id > " + i));
        List<CountingRelay.Request> requests = relay.requests(t -> t.contains("table=keep"));
        assertEquals(5, requests.size());
        String version = http11Upstream() ? "HTTP/1.1" : "HTTP/1.0";
        for (CountingRelay.Request r : requests) assertEquals(version, r.version(), r.target());
        long connections = requests.stream().mapToInt(CountingRelay.Request::connection).distinct().count();
        if (http11Upstream()) assertTrue(connections < requests.size(), connections + " connections for 5 requests");
        else assertEquals(5, connections, "HTTP/1.0: one connection per request");
    }

    // --- helpers

    /** A /v1/shape target with the given parameters, in order. */
    private static String shape(String... kv) {
        StringBuilder b = new StringBuilder("/v1/shape?");
        for (int i = 0; i < kv.length; i += 2) {
            if (i > 0) b.append('&');
            b.append(URLEncoder.encode(kv[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(kv[i + 1], StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    private HttpResponse<String> get(String target) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nginx.port + target))
                .timeout(Duration.ofSeconds(60)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A GET with the given Accept-Encoding (none when null), its body as received. */
    private HttpResponse<byte[]> getBytes(String target, String acceptEncoding) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nginx.port + target))
                .timeout(Duration.ofSeconds(60)).GET();
        if (acceptEncoding != null) b.header("accept-encoding", acceptEncoding);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    /** {@code n} identical GETs released at once. */
    private List<HttpResponse<String>> concurrently(int n, String target) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return get(target);
                }));
            }
            go.countDown();
            List<HttpResponse<String>> responses = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) responses.add(f.get());
            return responses;
        }
    }

    /** Waits until {@code n} requests for the target have reached Ampere (the relay saw them). */
    private void awaitUpstream(String target, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (relay.requests(target::equals).size() < n) {
            if (System.nanoTime() > deadline) fail("no request for " + target + " reached Ampere:\n" + safeAccessLog());
            Thread.sleep(10);
        }
    }

    /**
     * The first response for the target that is not a cache hit: nginx stores whole seconds, so an entry with
     * max-age=1 expires within two. Polls every 200 ms for at most 10 s; hits do not reach Ampere.
     */
    private HttpResponse<String> firstAfterExpiry(String target) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            HttpResponse<String> r = get(target);
            if (!"HIT".equals(header(r, "x-proxy-cache"))) return r;
            if (System.nanoTime() > deadline) fail("the cached entry for " + target + " never expired");
            Thread.sleep(200);
        }
    }

    /** One GET through nginx on a fresh connection ({@code Connection: close}), read until nginx closes it. */
    private byte[] rawGet(String target) throws IOException {
        return RawHttp.exchange(nginx.port, "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    }

    /** Reads the stream until {@code marker} appears; fails if the stream ends first. */
    private static String readUntil(InputStream in, String marker) throws IOException {
        StringBuilder seen = new StringBuilder();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            if (seen.indexOf(marker) >= 0) return seen.toString();
        }
        return fail("the stream ended before " + marker + ":\n" + seen);
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse("");
    }

    private static int count(String s, String part) {
        return s.split(Pattern.quote(part), -1).length - 1;
    }

    private String safeAccessLog() {
        try {
            return nginx.accessLog();
        } catch (IOException e) {
            return "(no access log: " + e.getMessage() + ")";
        }
    }
}
