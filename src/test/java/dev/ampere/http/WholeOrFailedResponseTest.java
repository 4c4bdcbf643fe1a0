package dev.ampere.http;

import dev.ampere.testing.RawHttp;
import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static dev.ampere.testing.RunningAmpere.params;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A response is whole or visibly failed (docs/protocol.md §1.4): a snapshot query that Postgres refuses for the
 * user's where clause is a 400 before any success header, and one that fails after its body started streaming ends
 * the connection without the terminating chunk, so no client or cache takes a cut-off body for a complete one.
 */
class WholeOrFailedResponseTest {
    private static RunningAmpere a;

    @BeforeAll
    static void start() throws Exception {
        a = new RunningAmpere();
        // 4,000 rows of ~300 bytes: about 1.2 MB of snapshot, well past the in-memory body limit.
        a.sql("CREATE TABLE items (id int PRIMARY KEY, title text)",
                "INSERT INTO items SELECT g, repeat('x', 200) || g FROM generate_series(1, 4000) g");
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
    }

    @Test
    void aWhereClauseThatFailsOnTheFirstRowsIsA400() throws Exception {
        HttpResponse<String> r = a.shape(params("table", "items", "offset", "-1", "where", "id / 0 = 1"));
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("{\"message\":\"Invalid request\",\"errors\":{\"where\":[\"division by zero\"]}}", r.body());
        assertEquals("no-store", r.headers().firstValue("cache-control").orElseThrow());
        assertTrue(r.headers().firstValue("electric-handle").isEmpty(), r.headers().toString());
        assertTrue(r.headers().firstValue("etag").isEmpty(), r.headers().toString());

        r = a.shape(params("table", "items", "offset", "-1", "where", "title::int = 1"));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("invalid input syntax for type integer"), r.body());
    }

    @Test
    void aNulByteInTheWhereClauseIsA400() throws Exception {
        HttpResponse<String> r = a.shape(params("table", "items", "offset", "-1", "where", "title = 'a\u0000b'"));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("{\"message\":\"Invalid request\",\"errors\":{\"where\":["), r.body());
    }

    @Test
    void aFailureWithinTheFirstBufferIsStillA400() throws Exception {
        // Fails at row 500, after the query produced rows but before 256 KiB of body: nothing was sent yet.
        HttpResponse<String> r = a.shape(params("table", "items", "offset", "-1", "where", "100 / (id - 500) > -1000"));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("division by zero"), r.body());
    }

    @Test
    void aFailureAfterTheBodyStartedAbortsTheConnection() throws Exception {
        // Fails at row 3,900: by then about 1 MB of the body has been streamed.
        String where = URLEncoder.encode("100 / (id - 3900) > -1000", StandardCharsets.UTF_8);
        byte[] raw = rawGet("/v1/shape?table=items&offset=-1&where=" + where);
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("HTTP/1.1 200"), text.substring(0, Math.min(200, text.length())));
        assertTrue(text.toLowerCase().contains("transfer-encoding: chunked"), "streamed body expected");
        assertFalse(text.endsWith("0\r\n\r\n"), "the body must not be terminated");
        assertFalse(text.endsWith("]"), "the JSON array must not be closed");
        assertTrue(raw.length > 300_000, "the body had started: " + raw.length + " bytes");

        // The server is fine afterwards, and a healthy shape of the same table is served whole.
        HttpResponse<String> ok = a.shape(params("table", "items", "offset", "-1", "where", "id <= 3"));
        assertEquals(200, ok.statusCode(), ok.body());
        assertTrue(ok.body().endsWith("]"), ok.body());
    }

    @Test
    void aCompressedBodyThatFailsAfterItStartedAbortsTheConnectionToo() throws Exception {
        // Connection: close, so the read ends with the connection: the check is that the body was cut, not when.
        String where = URLEncoder.encode("100 / (id - 3899) > -1000", StandardCharsets.UTF_8);
        byte[] raw = rawGet("/v1/shape?table=items&offset=-1&where=" + where, "Accept-Encoding: gzip\r\nConnection: close\r\n");
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        String head = text.substring(0, Math.max(0, text.indexOf("\r\n\r\n"))).toLowerCase();
        assertTrue(head.startsWith("http/1.1 200"), text.substring(0, Math.min(600, text.length())));
        assertTrue(head.contains("content-encoding: gzip"), head);
        assertTrue(head.contains("transfer-encoding: chunked"), "streamed body expected: " + head);
        assertFalse(text.endsWith("0\r\n\r\n"), "the body must not be terminated: "
                + text.substring(Math.max(0, text.length() - 40)).replace("\r\n", "|"));
        assertTrue(raw.length > 1000, "the body had started: " + raw.length + " bytes");
    }

    @Test
    void largeWholeBodiesCarryTheirLengthAndEveryRow() throws Exception {
        a.sql("CREATE TABLE wide (id int PRIMARY KEY, title text)",
                "INSERT INTO wide SELECT g, repeat('y', 200) FROM generate_series(1, 150) g");
        HttpResponse<String> snap = a.shape(params("table", "wide", "offset", "-1"));
        assertEquals(200, snap.statusCode(), snap.body());
        assertEquals(150, count(snap.body(), "\"operation\":\"insert\""));
        String handle = snap.headers().firstValue("electric-handle").orElseThrow();
        String start = a.shape(params("table", "wide", "handle", handle, "offset", "0_inf"))
                .headers().firstValue("electric-offset").orElseThrow();

        // ~45 KB of log read by a catch-up request: past the size Helidon gets to copy, within the in-memory limit.
        a.sql("INSERT INTO wide SELECT g, repeat('w', 300) FROM generate_series(501, 620) g");
        assertEquals(200, a.shape(params("table", "wide", "handle", handle, "offset", start, "live", "true")).statusCode());
        HttpResponse<String> catchUp = a.shape(params("table", "wide", "handle", handle, "offset", start));
        assertEquals(200, catchUp.statusCode(), catchUp.body());
        assertEquals(String.valueOf(catchUp.body().length()),
                catchUp.headers().firstValue("content-length").orElseThrow());
        assertEquals(120, count(catchUp.body(), "\"operation\":\"insert\""));
        String offset = catchUp.headers().firstValue("electric-offset").orElseThrow();

        // Two live requests wait at one offset; one transaction of ~400 KB wakes both with one shared body.
        var live = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        var first = live.submit(() -> a.shape(params("table", "wide", "handle", handle, "offset", offset, "live", "true")));
        var second = live.submit(() -> a.shape(params("table", "wide", "handle", handle, "offset", offset, "live", "true")));
        a.sql("INSERT INTO wide SELECT g, repeat('z', 300) FROM generate_series(1001, 2200) g");
        for (var f : java.util.List.of(first, second)) {
            HttpResponse<String> r = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(String.valueOf(r.body().length()), r.headers().firstValue("content-length").orElseThrow());
            assertTrue(r.body().endsWith("]"), "a complete array");
            assertEquals(1200, count(r.body(), "\"operation\":\"insert\""), "every row of the transaction");
        }
        live.close();
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }

    /** One GET on a fresh connection, reading until the server closes it (or 30 s pass). */
    private static byte[] rawGet(String target) throws IOException {
        return rawGet(target, "");
    }

    private static byte[] rawGet(String target, String extraHeaders) throws IOException {
        return RawHttp.exchange(a.ampere.httpPort(), "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extraHeaders + "\r\n");
    }
}
