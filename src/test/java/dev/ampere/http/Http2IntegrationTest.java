package dev.ampere.http;

import dev.ampere.testing.RunningAmpere;
import dev.ampere.testing.SelfSignedCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static dev.ampere.testing.RunningAmpere.params;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The Shape API over HTTP/2 with the JDK's client (docs/architecture.md, "HTTP/2"): cleartext, where the client
 * upgrades its first request (h2c) and multiplexes the rest on that connection, and TLS, where ALPN chooses h2.
 * Live long-polls, SSE, caching headers and error bodies behave as over HTTP/1.1.
 */
class Http2IntegrationTest {
    private static SelfSignedCertificate certificate;
    private static RunningAmpere plain;
    private static RunningAmpere tls;
    private static HttpClient h2Plain;
    private static HttpClient h2Tls;
    private static HttpClient h1Plain;
    private static HttpClient h1Tls;

    @BeforeAll
    static void start() throws Exception {
        certificate = SelfSignedCertificate.create();
        plain = new RunningAmpere("ELECTRIC_LONG_POLL_TIMEOUT", "4000");
        tls = new RunningAmpere("ELECTRIC_LONG_POLL_TIMEOUT", "4000",
                "AMPERE_TLS_CERTIFICATE_FILE", certificate.certificate().toString(),
                "AMPERE_TLS_KEY_FILE", certificate.key().toString());
        for (RunningAmpere a : List.of(plain, tls)) {
            a.sql("CREATE TABLE fifty (id int PRIMARY KEY, v text)",
                    "CREATE TABLE items (id int PRIMARY KEY, title text)",
                    "INSERT INTO items SELECT g, repeat('t', 40) || g FROM generate_series(1, 200) g",
                    "CREATE TABLE quiet (id int PRIMARY KEY)",
                    "CREATE TABLE events (id int PRIMARY KEY, v text)");
        }
        h2Plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        h1Plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        h2Tls = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(certificate.clientContext()).build();
        h1Tls = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(certificate.clientContext()).build();
    }

    @AfterAll
    static void stop() throws Exception {
        for (HttpClient c : List.of(h2Plain, h1Plain, h2Tls, h1Tls)) c.close();
        plain.close();
        tls.close();
    }

    private static RunningAmpere ampere(boolean secure) {
        return secure ? tls : plain;
    }

    private static URI uri(boolean secure, String pathAndQuery) {
        return URI.create((secure ? "https" : "http") + "://localhost:" + ampere(secure).ampere.httpPort() + pathAndQuery);
    }

    private static URI shape(boolean secure, Map<String, String> params) {
        return uri(secure, "/v1/shape?" + params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&")));
    }

    private static HttpRequest get(URI uri, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return b.build();
    }

    private static HttpResponse<String> h2(boolean secure, HttpRequest request) throws Exception {
        HttpResponse<String> r = (secure ? h2Tls : h2Plain).send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, r.version(), "answered over " + r.version());
        return r;
    }

    private static HttpResponse<String> h1(boolean secure, HttpRequest request) throws Exception {
        HttpResponse<String> r = (secure ? h1Tls : h1Plain).send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_1_1, r.version());
        return r;
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void fiftyLiveShapesMultiplexedEachReceiveTheirChange(boolean secure) throws Exception {
        // the first request upgrades the cleartext connection (or negotiates h2); the rest share it
        assertEquals(200, h2(secure, get(uri(secure, "/v1/health"))).statusCode());
        String table = "fifty";
        int n = 50;
        List<String> handles = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            HttpResponse<String> first = h2(secure, get(shape(secure, params("table", table, "offset", "-1",
                    "where", "id = " + i))));
            assertEquals(200, first.statusCode(), first.body());
            handles.add(first.headers().firstValue("electric-handle").orElseThrow());
        }
        List<CompletableFuture<String>> live = new ArrayList<>();
        for (int i = 1; i <= n; i++) live.add(follow(secure, table, i, handles.get(i - 1)));
        ampere(secure).sql("INSERT INTO " + table + " SELECT g, 'row ' || g FROM generate_series(1, " + n + ") g");
        for (int i = 1; i <= n; i++) {
            String body = live.get(i - 1).get(60, TimeUnit.SECONDS);
            assertTrue(body.contains("\"v\":\"row " + i + "\""), "shape " + i + ": " + body);
            assertFalse(body.contains("\"v\":\"row " + (i % n + 1) + "\""), "shape " + i + ": " + body);
        }
    }

    /** Follows one shape's live long-polls (each answered at its change or its timeout) until its change arrives. */
    private static CompletableFuture<String> follow(boolean secure, String table, int id, String handle) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                String offset = "0_inf";
                String cursor = null;
                for (int attempt = 0; attempt < 10; attempt++) {
                    var p = params("table", table, "offset", offset, "handle", handle, "where", "id = " + id,
                            "live", "true");
                    if (cursor != null) p.put("cursor", cursor);
                    HttpResponse<String> r = h2(secure, get(shape(secure, p)));
                    assertEquals(200, r.statusCode(), r.body());
                    if (r.body().contains("\"operation\":\"insert\"")) return r.body();
                    offset = r.headers().firstValue("electric-offset").orElseThrow();
                    cursor = r.headers().firstValue("electric-cursor").orElse(null);
                }
                throw new AssertionError("shape " + id + " never received its row");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, Thread::startVirtualThread);
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void cachingHeadersAndBodiesAreThoseOfHttp1(boolean secure) throws Exception {
        URI snapshot = shape(secure, params("table", "items", "offset", "-1"));
        HttpResponse<String> one = h1(secure, get(snapshot));
        HttpResponse<String> two = h2(secure, get(snapshot));
        assertEquals(200, two.statusCode());
        for (String h : List.of("cache-control", "etag", "electric-handle", "electric-offset", "electric-schema",
                "electric-server", "content-type", "access-control-expose-headers")) {
            assertEquals(one.headers().firstValue(h), two.headers().firstValue(h), h);
            assertTrue(two.headers().firstValue(h).isPresent(), h);
        }
        assertEquals(one.body(), two.body());
        assertTrue(two.headers().firstValue("connection").isEmpty(), "no connection header on HTTP/2");

        String etag = two.headers().firstValue("etag").orElseThrow();
        HttpResponse<String> revalidated = h2(secure, get(snapshot, "if-none-match", etag));
        assertEquals(304, revalidated.statusCode());
        assertEquals("", revalidated.body());

        HttpResponse<byte[]> gzip = (secure ? h2Tls : h2Plain).send(get(snapshot, "accept-encoding", "gzip"),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(HttpClient.Version.HTTP_2, gzip.version());
        assertEquals("gzip", gzip.headers().firstValue("content-encoding").orElseThrow());
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip.body()))) {
            assertEquals(one.body(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }

        // a live long-poll that times out: 200 with an up-to-date, the cursor and the live cache-control
        HttpResponse<String> quiet = h2(secure, get(shape(secure, params("table", "quiet", "offset", "-1"))));
        String handle = quiet.headers().firstValue("electric-handle").orElseThrow();
        HttpResponse<String> timedOut = h2(secure, get(shape(secure, params("table", "quiet", "offset", "0_inf",
                "handle", handle, "live", "true"))));
        assertEquals(200, timedOut.statusCode());
        assertTrue(timedOut.body().contains("\"control\":\"up-to-date\""), timedOut.body());
        assertEquals("false", timedOut.headers().firstValue("electric-has-data").orElseThrow());
        assertTrue(timedOut.headers().firstValue("electric-cursor").isPresent());
        assertEquals("public, max-age=5, stale-while-revalidate=5",
                timedOut.headers().firstValue("cache-control").orElseThrow());

        // errors keep their JSON bodies; OPTIONS its 204 (whose keep-alive header HTTP/2 must not carry)
        HttpResponse<String> bad = h2(secure, get(shape(secure, params("offset", "-1"))));
        assertEquals(400, bad.statusCode());
        assertTrue(bad.headers().firstValue("content-type").orElseThrow().startsWith("application/json"));
        assertTrue(bad.body().contains("\"table\""), bad.body());
        HttpResponse<String> options = (secure ? h2Tls : h2Plain).send(HttpRequest.newBuilder(uri(secure, "/v1/shape"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, options.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, options.version());
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void serverSentEventsStreamOverHttp2(boolean secure) throws Exception {
        HttpResponse<String> first = h2(secure, get(shape(secure, params("table", "events", "offset", "-1"))));
        String handle = first.headers().firstValue("electric-handle").orElseThrow();
        HttpRequest sse = get(shape(secure, params("table", "events", "offset", "0_inf", "handle", handle,
                "live", "true", "live_sse", "true")));
        HttpResponse<Stream<String>> r = (secure ? h2Tls : h2Plain).send(sse, HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = r.body()) {
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
            ampere(secure).sql("INSERT INTO events VALUES (7, 'seven')");
            String event = lines.filter(l -> l.startsWith("data:") && l.contains("\"operation\":\"insert\""))
                    .findFirst().orElseThrow();
            assertTrue(event.contains("\"v\":\"seven\""), event);
        }
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {true})
    void http1StillServedOverTls(boolean secure) throws Exception {
        HttpResponse<String> r = h1(secure, get(uri(secure, "/v1/health")));
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("active"), r.body());
    }
}
