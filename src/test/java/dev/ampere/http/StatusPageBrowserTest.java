package dev.ampere.http;

import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.ampere.testing.RunningAmpere.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status page in a real headless Chromium (Debian's, installed by scripts/lib/ensure-chromium.sh; the binary is
 * {@code AMPERE_CHROMIUM} or /usr/bin/chromium): the page renders the stack's figures from status.json, refreshes
 * itself, and its numbers change after writes. Read from the DOM Chromium dumps once its scripts have run (virtual
 * time lets the 2 s refresh fire several times without the test waiting for it).
 */
class StatusPageBrowserTest {
    private static final String SECRET = "status-secret";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static RunningAmpere stack;

    @BeforeAll
    static void start() throws Exception {
        stack = new RunningAmpere("ELECTRIC_INSECURE", "false", "ELECTRIC_SECRET", SECRET);
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) stack.close();
    }

    static String chromium() {
        String configured = System.getenv("AMPERE_CHROMIUM");
        for (String candidate : new String[] {configured, "/usr/bin/chromium"}) {
            if (candidate != null && !candidate.isBlank() && Files.isExecutable(Path.of(candidate))) return candidate;
        }
        throw new AssertionError("no Chromium: run scripts/lib/ensure-chromium.sh (scripts/test does) or set AMPERE_CHROMIUM");
    }

    /** The DOM of the page after its scripts ran for {@code virtualMillis} of virtual time. */
    static String dumpDom(String url, int virtualMillis) throws Exception {
        Path profile = Files.createTempDirectory("ampere-chromium");
        List<String> command = new ArrayList<>(List.of(chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile,
                "--virtual-time-budget=" + virtualMillis, "--dump-dom", url));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish");
        }
        assertEquals(0, p.exitValue(), "chromium failed");
        deleteTree(profile);
        return new String(out, StandardCharsets.UTF_8);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static String pageUrl() {
        return "http://localhost:" + stack.ampere.httpPort() + "/status?secret=" + SECRET;
    }

    private static String text(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*>([^<]*)<").matcher(dom);
        if (!m.find()) throw new AssertionError("no element #" + id + " in " + dom);
        return m.group(1);
    }

    private static String attribute(String dom, String id, String attribute) {
        Matcher m = Pattern.compile("<[^>]*id=\"" + id + "\"[^>]*>").matcher(dom);
        if (!m.find()) throw new AssertionError("no element #" + id);
        Matcher a = Pattern.compile(attribute + "=\"([^\"]*)\"").matcher(m.group());
        if (!a.find()) throw new AssertionError("#" + id + " has no " + attribute + ": " + m.group());
        return a.group(1);
    }

    /** The shape's table row: its cells' texts, after the row's data-bytes attribute. */
    private static List<String> shapeRow(String dom, String handle) {
        Matcher m = Pattern.compile("<tr data-handle=\"" + Pattern.quote(handle) + "\" data-bytes=\"(\\d+)\">(.*?)</tr>")
                .matcher(dom);
        if (!m.find()) throw new AssertionError("no row for shape " + handle + " in " + dom);
        List<String> cells = new ArrayList<>();
        cells.add(m.group(1));
        Matcher td = Pattern.compile("<td[^>]*>([^<]*)</td>").matcher(m.group(2));
        while (td.find()) cells.add(unescape(td.group(1)));
        return cells;
    }

    private static String unescape(String html) {
        return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + stack.ampere.httpPort() + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void protectedByTheSecret() throws Exception {
        assertEquals(401, get("/status").statusCode());
        assertEquals(401, get("/status.json?secret=wrong").statusCode());
        HttpResponse<String> page = get("/status?secret=" + SECRET);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"));
        // Self-contained: no external scripts, styles or images.
        assertTrue(!page.body().contains("src=\"http") && !page.body().contains("href=\"http"), page.body());
    }

    @Test
    void rendersAndRefreshesAndItsNumbersChangeAfterWrites() throws Exception {
        stack.sql("CREATE TABLE watched (id int PRIMARY KEY, v text)",
                "INSERT INTO watched SELECT g, 'row ' || g FROM generate_series(1, 20) g");
        HttpResponse<String> r = stack.shape(params("table", "watched", "offset", "-1", "where", "id > 0",
                "secret", SECRET));
        assertEquals(200, r.statusCode(), r.body());
        String handle = r.headers().firstValue("electric-handle").orElseThrow();
        String offset = r.headers().firstValue("electric-offset").orElseThrow();

        String before = dumpDom(pageUrl(), 7_000);
        assertEquals("active", text(before, "status"));
        int refreshes = Integer.parseInt(bodyAttribute(before, "data-refreshes"));
        assertTrue(refreshes >= 3, "the page refreshed itself only " + refreshes + " times in 7 s");
        assertEquals("1", text(before, "shape-count"));
        assertEquals("0", text(before, "live-clients"));
        List<String> row = shapeRow(before, handle);
        assertEquals("public.watched", row.get(2), row.toString());
        assertEquals("id > 0", row.get(3), row.toString());
        assertTrue(text(before, "wal-retained").matches("[0-9.]+ (B|KiB|MiB|GiB)"), text(before, "wal-retained"));
        String lsnBefore = attribute(before, "last-lsn", "data-lsn");
        long bytesBefore = Long.parseLong(row.getFirst());

        // A live client parks on the shape, and writes arrive.
        CompletableFuture<HttpResponse<String>> parked = CompletableFuture.supplyAsync(() -> {
            try {
                return stack.shape(params("table", "watched", "where", "id > 0", "handle", handle, "offset", offset,
                        "live", "true", "secret", SECRET));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        awaitLiveClient();
        String waiting = dumpDom(pageUrl(), 3_000);
        assertEquals("1", text(waiting, "live-clients"));
        assertEquals("1", shapeRow(waiting, handle).getLast());

        stack.sql("INSERT INTO watched SELECT g, repeat('y', 500) FROM generate_series(21, 400) g");
        org.slf4j.LoggerFactory.getLogger(StatusPageBrowserTest.class).warn("a warning for the status page");
        assertEquals(200, parked.get(30, TimeUnit.SECONDS).statusCode());
        String after = awaitDom(dom -> !attribute(dom, "last-lsn", "data-lsn").equals(lsnBefore)
                && Long.parseLong(shapeRow(dom, handle).getFirst()) > bytesBefore);
        assertNotEquals(lsnBefore, attribute(after, "last-lsn", "data-lsn"));
        assertEquals("0", text(after, "live-clients"));
        assertTrue(text(after, "replication-lag").endsWith(" ms"), text(after, "replication-lag"));
        assertTrue(after.contains("WARN a warning for the status page"), "the warning is not listed");
    }

    private static String bodyAttribute(String dom, String attribute) {
        Matcher m = Pattern.compile("<body[^>]*" + attribute + "=\"([^\"]*)\"").matcher(dom);
        if (!m.find()) throw new AssertionError("no " + attribute + " on <body>");
        return m.group(1);
    }

    private static void awaitLiveClient() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!get("/status.json?secret=" + SECRET).body().contains("\"live_clients\":1")) {
            if (System.nanoTime() > deadline) throw new AssertionError("the live request never parked");
            Thread.sleep(50);
        }
    }

    /** Dumps the page until {@code condition} holds on its DOM (storage and WAL figures settle within seconds). */
    private static String awaitDom(java.util.function.Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String dom = dumpDom(pageUrl(), 3_000);
        while (!condition.test(dom)) {
            if (System.nanoTime() > deadline) throw new AssertionError("the page's numbers never changed: " + dom);
            dom = dumpDom(pageUrl(), 3_000);
        }
        return dom;
    }
}
