package dev.ampere.http;

import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * gzip over real HTTP (docs/protocol.md §1.16), with the JDK's HttpClient asking for it: every compressed body
 * decompresses to exactly the identity body of the same request; immutable chunks (closed snapshot chunks, whole
 * log chunks) are compressed once into a stored copy and served from it; live bodies are compressed once per
 * wake-up; ETags name each representation and revalidate either; {@code AMPERE_COMPRESSION=false} turns it off.
 *
 * <p>Chunks are small ({@code ELECTRIC_SHAPE_CHUNK_BYTES_THRESHOLD=16384}) so a few thousand rows make many.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompressionIntegrationTest {
    private static final Pattern COPIES = Pattern.compile(
            "ampere_http_compressed_copies_total\\{kind=\"(\\w+)\"[^}]*} ([0-9.E]+)");
    private Path storage;
    private RunningAmpere a;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    void start() throws Exception {
        storage = Files.createTempDirectory("ampere-gzip");
        a = new RunningAmpere(storage, "ELECTRIC_SHAPE_CHUNK_BYTES_THRESHOLD", "16384");
    }

    @AfterAll
    void stop() throws Exception {
        if (a != null) a.close();
    }

    @Test
    void snapshotChunksDecompressToTheIdentityBodiesAndAreCompressedOnce() throws Exception {
        a.sql("CREATE TABLE snap (id int PRIMARY KEY, title text)",
                "INSERT INTO snap SELECT g, 'title number ' || g || ' ' || md5(g::text) FROM generate_series(1, 3000) g");
        List<Exchange> identity = follow("snap", false);
        assertTrue(identity.size() > 5, "several snapshot chunks: " + identity.size());
        double before = copies("snapshot");

        List<Exchange> gzip = follow("snap", true);
        assertEquals(identity.size(), gzip.size());
        int encoded = 0;
        for (int i = 0; i < gzip.size(); i++) {
            Exchange id = identity.get(i);
            Exchange gz = gzip.get(i);
            assertEquals(id.target(), gz.target());
            assertArrayEquals(id.body(), gz.body(), "chunk " + i + " decompresses to the identity body");
            assertEquals("", id.header("content-encoding"));
            assertTrue(id.header("vary").contains("accept-encoding"), id.headers().toString());
            assertTrue(gz.header("vary").contains("accept-encoding"), gz.headers().toString());
            if (gz.header("content-encoding").equals("gzip")) {
                encoded++;
                assertEquals(String.valueOf(gz.raw().length), gz.header("content-length"));
                assertTrue(gz.raw().length < id.body().length / 2, "compressed: " + gz.raw().length);
                assertEquals(ETag.gzipVariant(id.header("etag")), gz.header("etag"), "its own strong ETag");
                assertNotEquals(id.header("etag"), gz.header("etag"));
            } else {
                assertTrue(id.body().length < Gzip.MIN_BYTES, "only a small body goes uncompressed: " + id.body().length);
                assertEquals(id.header("etag"), gz.header("etag"));
            }
        }
        assertTrue(encoded >= identity.size() - 2, encoded + " of " + identity.size() + " compressed");
        // Every compressed response that is a closed chunk came from a stored copy made for it, once.
        String handle = identity.getFirst().header("electric-handle");
        Map<String, Object> files = copyFiles(handle);
        assertEquals(copies("snapshot") - before, files.size(), "one copy per compressed chunk: " + files.keySet());
        assertTrue(files.size() >= encoded - 1, files.keySet() + " for " + encoded + " compressed responses");

        // Served again, and by a burst of concurrent clients: the same files, nothing compressed again.
        double made = copies("snapshot");
        assertEqualBodies(gzip, follow("snap", true));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Exchange>> burst = new ArrayList<>();
            for (int i = 0; i < 20; i++) burst.add(pool.submit(() -> get(gzip.get(1).target(), true)));
            for (Future<Exchange> f : burst) assertArrayEquals(gzip.get(1).raw(), f.get().raw());
        }
        assertEquals(made, copies("snapshot"), "no copy made twice");
        assertEquals(files, copyFiles(handle), "the stored files were not rewritten");
    }

    @Test
    void concurrentFirstRequestsForAChunkMakeOneCopy() throws Exception {
        a.sql("CREATE TABLE burst (id int PRIMARY KEY, title text)",
                "INSERT INTO burst SELECT g, 'burst title ' || md5(g::text) FROM generate_series(1, 2000) g");
        Exchange first = get(target("burst", "-1", null), false); // makes the shape; its chunks are closed now
        String second = target("burst", first.header("electric-offset"), first.header("electric-handle"));
        Exchange identity = get(second, false);
        double before = copies("snapshot");
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Exchange>> all = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 16; i++) {
                all.add(pool.submit(() -> {
                    go.await();
                    return get(second, true);
                }));
            }
            go.countDown();
            for (Future<Exchange> f : all) {
                Exchange e = f.get();
                assertEquals("gzip", e.header("content-encoding"));
                assertArrayEquals(identity.body(), e.body());
            }
        }
        assertEquals(before + 1, copies("snapshot"), "sixteen racing requests, one compression");
    }

    @Test
    void wholeLogChunksAreStoredCompressedAndTheTailIsCompressedPerResponse() throws Exception {
        a.sql("CREATE TABLE logged (id int PRIMARY KEY, title text)", "INSERT INTO logged VALUES (0, 'seed')");
        List<Exchange> snapshot = follow("logged", false);
        Exchange last = snapshot.getLast();
        String handle = last.header("electric-handle");
        // About 150 KB of log in 30 transactions: several 16 KiB chunks, then a tail.
        for (int t = 0; t < 30; t++) {
            a.sql("INSERT INTO logged SELECT g, 'logged row ' || md5(g::text) FROM generate_series("
                    + (t * 100 + 1) + ", " + (t * 100 + 100) + ") g");
        }
        awaitRows("logged", handle, last.header("electric-offset"), 3000);
        double before = copies("log");
        List<Exchange> identity = catchUp("logged", handle, last.header("electric-offset"), false);
        List<Exchange> gzip = catchUp("logged", handle, last.header("electric-offset"), true);
        assertTrue(identity.size() > 4, "several log chunks: " + identity.size());
        assertEqualBodies(identity, gzip);
        for (Exchange e : gzip) assertEquals("gzip", e.header("content-encoding"), e.target());
        // Every chunk but the last (which ends with an up-to-date message) is a stored copy.
        assertEquals(before + identity.size() - 1, copies("log"));
        assertEquals(identity.size() - 1, copyFiles(handle).keySet().stream().filter(n -> n.startsWith("log-")).count());
        assertEqualBodies(gzip, catchUp("logged", handle, last.header("electric-offset"), true));
        assertEquals(before + identity.size() - 1, copies("log"), "served again from the stored copies");
    }

    @Test
    void liveBodiesAreCompressedOncePerWakeUpAndRevalidateEitherForm() throws Exception {
        a.sql("CREATE TABLE feed (id int PRIMARY KEY, title text)", "INSERT INTO feed VALUES (0, 'seed')");
        Exchange up = follow("feed", false).getLast();
        String handle = up.header("electric-handle");
        String live = target("feed", up.header("electric-offset"), handle) + "&live=true";
        List<Future<Exchange>> polls = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 6; i++) {
                boolean gz = i % 2 == 0;
                polls.add(pool.submit(() -> get(live, gz)));
            }
            awaitWaiting(handle, 6);
            a.sql("INSERT INTO feed SELECT g, 'live row ' || md5(g::text) FROM generate_series(1, 200) g");
            List<Exchange> responses = new ArrayList<>();
            for (Future<Exchange> f : polls) responses.add(f.get());
            byte[] body = responses.get(1).body();
            assertTrue(new String(body, StandardCharsets.UTF_8).contains("live row"));
            for (int i = 0; i < responses.size(); i++) {
                Exchange r = responses.get(i);
                assertArrayEquals(body, r.body(), "poll " + i);
                assertEquals(i % 2 == 0 ? "gzip" : "", r.header("content-encoding"), "poll " + i);
            }
            // The gzip responses share one compressed array: byte-identical.
            assertArrayEquals(responses.get(0).raw(), responses.get(2).raw());
            assertArrayEquals(responses.get(0).raw(), responses.get(4).raw());

            // A catch-up of the same range revalidates with either ETag, and the 304 names the one asked about.
            String range = target("feed", up.header("electric-offset"), handle);
            Exchange gz = get(range, true);
            Exchange id = get(range, false);
            assertEquals(ETag.gzipVariant(id.header("etag")), gz.header("etag"));
            for (String tag : List.of(gz.header("etag"), id.header("etag"))) {
                HttpResponse<byte[]> r = send(range, true, "if-none-match", tag);
                assertEquals(304, r.statusCode());
                assertEquals(tag, r.headers().firstValue("etag").orElse(""));
                assertTrue(r.headers().firstValue("vary").orElse("").contains("accept-encoding"));
            }
        }
    }

    @Test
    void clientsThatRefuseGzipGetIdentity() throws Exception {
        a.sql("CREATE TABLE plain (id int PRIMARY KEY, title text)",
                "INSERT INTO plain SELECT g, md5(g::text) FROM generate_series(1, 500) g");
        String t = target("plain", "-1", null);
        for (String ae : List.of("gzip;q=0", "identity", "br", "*;q=0", "deflate")) {
            HttpResponse<byte[]> r = send(t, false, "accept-encoding", ae);
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("content-encoding").isEmpty(), ae + ": " + r.headers());
        }
        for (String ae : List.of("gzip", "GZIP", "br;q=1, gzip;q=0.5", "*", "x-gzip")) {
            HttpResponse<byte[]> r = send(t, false, "accept-encoding", ae);
            assertEquals("gzip", r.headers().firstValue("content-encoding").orElse(""), ae);
        }
    }

    @Test
    void compressionCanBeSwitchedOff() throws Exception {
        try (RunningAmpere off = new RunningAmpere("AMPERE_COMPRESSION", "false")) {
            off.sql("CREATE TABLE offt (id int PRIMARY KEY, title text)",
                    "INSERT INTO offt SELECT g, md5(g::text) FROM generate_series(1, 500) g");
            HttpResponse<String> r = off.shape(RunningAmpere.params("table", "offt", "offset", "-1"),
                    "accept-encoding", "gzip");
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("content-encoding").isEmpty(), r.headers().toString());
            assertFalse(r.headers().firstValue("vary").orElse("").contains("accept-encoding"), r.headers().toString());
            assertTrue(r.body().endsWith("]") && r.body().contains("\"operation\":\"insert\""));
        }
    }

    // ---- helpers

    record Exchange(String target, HttpResponse<byte[]> response, byte[] raw, byte[] body) {
        String header(String name) {
            return response.headers().firstValue(name).orElse("");
        }

        Map<String, List<String>> headers() {
            return response.headers().map();
        }
    }

    private static String target(String table, String offset, String handle) {
        return "/v1/shape?table=" + table + "&offset=" + URLEncoder.encode(offset, StandardCharsets.UTF_8)
                + (handle == null ? "" : "&handle=" + handle);
    }

    /** offset=-1, then every chunk until up-to-date. */
    private List<Exchange> follow(String table, boolean gzip) throws Exception {
        List<Exchange> out = new ArrayList<>();
        Exchange r = get(target(table, "-1", null), gzip);
        out.add(r);
        while (!r.response().headers().firstValue("electric-up-to-date").isPresent()) {
            r = get(target(table, r.header("electric-offset"), r.header("electric-handle")), gzip);
            out.add(r);
        }
        return out;
    }

    /** Non-live requests from {@code offset} until up-to-date. */
    private List<Exchange> catchUp(String table, String handle, String offset, boolean gzip) throws Exception {
        List<Exchange> out = new ArrayList<>();
        while (true) {
            Exchange r = get(target(table, offset, handle), gzip);
            out.add(r);
            if (r.response().headers().firstValue("electric-up-to-date").isPresent()) return out;
            offset = r.header("electric-offset");
        }
    }

    /** Waits (with live requests, no sleeps) until the shape's log holds {@code rows} inserts after {@code offset}. */
    private void awaitRows(String table, String handle, String offset, int rows) throws Exception {
        int seen = 0;
        String at = offset;
        while (seen < rows) {
            Exchange r = get(target(table, at, handle) + "&live=true", false);
            assertEquals(200, r.response().statusCode());
            seen += count(new String(r.body(), StandardCharsets.UTF_8), "\"operation\":\"insert\"");
            at = r.header("electric-offset");
        }
    }

    private void awaitWaiting(String handle, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (a.ampere.shapes().observe(handle).orElseThrow().readersWaiting() < n) {
            if (System.nanoTime() > deadline) fail("the live requests did not park");
            Thread.sleep(5);
        }
    }

    private Exchange get(String target, boolean gzip) throws Exception {
        HttpResponse<byte[]> r = gzip ? send(target, false, "accept-encoding", "gzip") : send(target, false);
        assertEquals(200, r.statusCode(), target + ": " + new String(r.body(), StandardCharsets.UTF_8));
        byte[] body = r.headers().firstValue("content-encoding").orElse("").equals("gzip") ? gunzip(r.body()) : r.body();
        return new Exchange(target, r, r.body(), body);
    }

    private HttpResponse<byte[]> send(String target, boolean unused, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.ampere.httpPort() + target))
                .timeout(Duration.ofSeconds(60));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    private static void assertEqualBodies(List<Exchange> expected, List<Exchange> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).target(), actual.get(i).target());
            assertArrayEquals(expected.get(i).body(), actual.get(i).body(), actual.get(i).target());
        }
    }

    /** The shape's stored copies: name to (file key, modification time). */
    private Map<String, Object> copyFiles(String handle) throws IOException {
        Map<String, Object> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(storage)) {
            for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".copy")
                    && p.getParent().getFileName().toString().equals(handle)).toList()) {
                BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class);
                out.put(p.getFileName().toString(), List.of(String.valueOf(attrs.fileKey()), attrs.lastModifiedTime()));
            }
        }
        return out;
    }

    private double copies(String kind) {
        Matcher m = COPIES.matcher(a.ampere.metrics().scrape());
        while (m.find()) if (m.group(1).equals(kind)) return Double.parseDouble(m.group(2));
        return 0;
    }

    private static int count(String s, String part) {
        return s.split(Pattern.quote(part), -1).length - 1;
    }
}
