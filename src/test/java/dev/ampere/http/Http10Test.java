package dev.ampere.http;

import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static dev.ampere.testing.RunningAmpere.params;
import static org.junit.jupiter.api.Assertions.*;

/**
 * HTTP/1.0 is served (docs/protocol.md §1.4), as proxies such as nginx speak it to their upstreams by default: no
 * chunked framing, bodies with a Content-Length (even past the size at which 1.1 bodies stream), an event stream
 * ended by the close, and the connection closed after the response unless the client asked for keep-alive.
 */
class Http10Test {
    private static RunningAmpere a;

    @BeforeAll
    static void start() throws Exception {
        a = new RunningAmpere("ELECTRIC_LONG_POLL_TIMEOUT", "3000");
        a.sql("CREATE TABLE small (id int PRIMARY KEY, title text)",
                "INSERT INTO small VALUES (1, 'one'), (2, 'two'), (3, 'three')",
                // about 600 KB of snapshot: a 1.1 response would stream it chunked
                "CREATE TABLE big (id int PRIMARY KEY, title text)",
                "INSERT INTO big SELECT g, repeat('x', 300) || g FROM generate_series(1, 2000) g");
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
    }

    private static String get10(String target, String... headers) {
        StringBuilder b = new StringBuilder("GET " + target + " HTTP/1.0\r\nHost: localhost\r\n");
        for (String h : headers) b.append(h).append("\r\n");
        return b.append("\r\n").toString();
    }

    @Test
    void aSnapshotIsWholeWithAContentLengthAndTheConnectionCloses() throws Exception {
        try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
            RawHttp.Response r = c.send(get10("/v1/shape?table=small&offset=-1")).read();
            assertEquals(200, r.status(), r.toString());
            assertEquals("length", r.framing(), r.headers().toString());
            assertEquals("close", r.header("connection"));
            assertTrue(r.body().startsWith("[") && r.body().endsWith("]"), r.body());
            assertEquals(3, r.body().split("\"operation\":\"insert\"").length - 1, r.body());
            assertNotNull(r.header("electric-handle"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aBodyPastTheStreamingSizeStillHasAContentLength() throws Exception {
        try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
            RawHttp.Response r = c.send(get10("/v1/shape?table=big&offset=-1")).read();
            assertEquals(200, r.status());
            assertEquals("length", r.framing(), r.headers().toString());
            assertTrue(r.body().length() > ResponseBody.BUFFER_LIMIT, "length " + r.body().length());
            assertTrue(r.body().endsWith("]"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aBodyThatFailsPastTheStreamingSizeIsAnErrorStatusNotACutOffBody() throws Exception {
        // Fails at row 1,900, by when a 1.1 response would have streamed about 500 KB.
        String where = URLEncoder.encode("100 / (id - 1900) > -1000", StandardCharsets.UTF_8);
        try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
            RawHttp.Response r = c.send(get10("/v1/shape?table=big&offset=-1&where=" + where)).read();
            assertEquals(400, r.status(), r.toString());
            assertTrue(r.body().contains("division by zero"), r.body());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aLongPollIsAnsweredWholeAndTheConnectionCloses() throws Exception {
        HttpResponse<String> snap = a.shape(params("table", "small", "offset", "-1"));
        String handle = snap.headers().firstValue("electric-handle").orElseThrow();
        String offset = snap.headers().firstValue("electric-offset").orElseThrow();
        try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
            // Catch up to the end of the log first, so the live request has something to wait for.
            RawHttp.Response up = new RawHttp(a.ampere.httpPort())
                    .send(get10("/v1/shape?table=small&handle=" + handle + "&offset=" + offset)).read();
            assertEquals(200, up.status(), up.toString());
            String latest = up.header("electric-offset");
            c.send(get10("/v1/shape?table=small&live=true&handle=" + handle + "&offset=" + latest));
            a.sql("INSERT INTO small VALUES (4, 'four')");
            RawHttp.Response r = c.read();
            assertEquals(200, r.status(), r.toString());
            assertEquals("length", r.framing(), r.headers().toString());
            assertTrue(r.body().contains("\"four\""), r.body());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void keepAliveIsKeptOnlyWhenAskedAndPipelinedRequestsAreSeenAs10Too() throws Exception {
        try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
            c.send(get10("/v1/health", "Connection: keep-alive") + get10("/v1/shape?table=small&offset=-1",
                    "Connection: keep-alive"));
            RawHttp.Response health = c.read();
            assertEquals(200, health.status(), health.toString());
            assertEquals("length", health.framing());
            assertEquals("keep-alive", health.header("connection"));
            RawHttp.Response shape = c.read();
            assertEquals(200, shape.status(), shape.toString());
            assertEquals("length", shape.framing());
            assertEquals("keep-alive", shape.header("connection"));
            // the third, without keep-alive, ends the connection
            RawHttp.Response last = c.send(get10("/v1/health")).read();
            assertEquals(200, last.status());
            assertEquals("close", last.header("connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void anEventStreamIsNotChunkedAndEndsWithTheConnection() throws Exception {
        HttpResponse<String> snap = a.shape(params("table", "small", "offset", "-1"));
        String handle = snap.headers().firstValue("electric-handle").orElseThrow();
        try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
            c.send(get10("/v1/shape?table=small&live=true&live_sse=true&handle=" + handle + "&offset="
                    + URLEncoder.encode(snap.headers().firstValue("electric-offset").orElseThrow(),
                    StandardCharsets.UTF_8)));
            a.sql("INSERT INTO small VALUES (5, 'five')");
            RawHttp.Response head = c.readHead();
            assertEquals(200, head.status(), head.toString());
            assertEquals("text/event-stream", head.header("content-type"));
            assertNull(head.header("transfer-encoding"), head.headers().toString());
            assertNull(head.header("content-length"), head.headers().toString());
            assertEquals("close", head.header("connection"));
            String events = c.readUntil("\"five\"");
            assertTrue(events.contains("\ndata: "), events);
        }
    }

    @Test
    void aConnectionCloseRequestEndsTheConnectionThoughAnotherIsPipelinedBehindIt() throws Exception {
        try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
            c.send("GET /v1/health HTTP/1.1\r\nHost: l\r\nConnection: close\r\n\r\n"
                    + "GET /v1/health HTTP/1.1\r\nHost: l\r\n\r\n");
            RawHttp.Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("close", r.header("connection"));
            assertEquals("", new String(c.readToEnd(), StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void otherPathsAnswer10Too() throws Exception {
        try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
            RawHttp.Response r = c.send(get10("/nowhere")).read();
            assertEquals(404, r.status());
            assertTrue(c.closedByServer());
        }
    }
}
