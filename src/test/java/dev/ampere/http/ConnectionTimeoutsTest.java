package dev.ampere.http;

import dev.ampere.testing.RawHttp2;
import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Read deadlines (docs/protocol.md §1.4, §5): a request's line and headers must arrive within the header timeout of
 * their first byte (1 s here), a kept-alive connection may idle for the read timeout (3 s here), and so may a body's
 * read; a client must take each write within the send timeout (2 s here); a request being answered is never cut,
 * however long it waits (a 5 s long-poll here, an SSE stream).
 */
class ConnectionTimeoutsTest {
    private static final double HEADER_TIMEOUT = 1.0;
    private static final double READ_TIMEOUT = 3.0;
    private static final double SLACK = 1.4; // timer and scheduling on a loaded machine
    private static RunningAmpere a;

    @BeforeAll
    static void start() throws Exception {
        a = new RunningAmpere("AMPERE_HEADER_READ_TIMEOUT", "1s", "ELECTRIC_TCP_READ_TIMEOUT", "3000",
                "ELECTRIC_TCP_SEND_TIMEOUT", "2s", "ELECTRIC_LONG_POLL_TIMEOUT", "5000");
        a.sql("CREATE TABLE items (id int PRIMARY KEY, title text)", "INSERT INTO items VALUES (1, 'one')",
                // a first snapshot chunk of about 10 MB: more than the socket buffers hold
                "CREATE TABLE big (id int PRIMARY KEY, title text)",
                "INSERT INTO big SELECT g, repeat('x', 300) || g FROM generate_series(1, 40000) g");
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
    }

    private static double secondsSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void assertClosedAfter(RawHttp c, long start, double timeout) throws IOException {
        assertTrue(c.closedByServer(), "still open");
        double took = secondsSince(start);
        assertTrue(took >= timeout - 0.1 && took < timeout + SLACK, "closed after " + took + " s, timeout " + timeout);
    }

    @Test
    void halfSentRequestsAreClosedWithinTheHeaderTimeout() throws Exception {
        String[] partial = {"", "GET /v1/hea", "GET /v1/health HTTP/1.1\r\n", "GET /v1/health HTTP/1.1\r\nHost: l",
                "PRI * HTTP/2.0\r\n"}; // the last: an HTTP/2 preface cut short
        for (String p : partial) {
            long start = System.nanoTime();
            try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
                if (!p.isEmpty()) c.send(p);
                assertClosedAfter(c, start, HEADER_TIMEOUT);
            }
        }
    }

    @Test
    void aNewConnectionsFirstRequestIsTimedFromTheOpening() throws Exception {
        long start = System.nanoTime();
        try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
            Thread.sleep(900); // the client's pace: the first bytes come late
            c.send("GET /v1/health HTTP/1.1\r\n");
            assertTrue(c.closedByServer(), "still open");
            double took = secondsSince(start);
            // timed from its first byte instead, it would close at about 1.9 s
            assertTrue(took >= HEADER_TIMEOUT - 0.1 && took < 1.75, "closed after " + took + " s");
        }
    }

    @Test
    void aTrickledHeadIsClosedAtItsDeadlineThoughEachByteCameInTime() throws Exception {
        try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
            long start = System.nanoTime();
            c.send("GET /v1/health HTTP/1.1\r\n");
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 20; i++) {
                        Thread.sleep(200); // the client's pace: well within any per-read timeout
                        c.send("x");
                    }
                } catch (Exception e) {
                    // the server closed the connection
                }
            });
            assertClosedAfter(c, start, HEADER_TIMEOUT);
            t.join();
        }
    }

    @Test
    void aKeptAliveConnectionIdlesForTheReadTimeout() throws Exception {
        try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
            RawHttp.Response r = c.send("GET /v1/health HTTP/1.1\r\nHost: l\r\n\r\n").read();
            assertEquals(200, r.status());
            long start = System.nanoTime();
            assertClosedAfter(c, start, READ_TIMEOUT);
        }
    }

    @Test
    void aStalledRequestBodyIsClosedByTheReadTimeout() throws Exception {
        try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
            // "zz" is taken as a chunk size, and the chunk never comes.
            RawHttp.Response r = c.send("POST /v1/health HTTP/1.1\r\nHost: l\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "zz\r\nabc").read();
            assertTrue(r.status() < 500, r.toString());
            long start = System.nanoTime();
            assertClosedAfter(c, start, READ_TIMEOUT);
        }
    }

    @Test
    void aClientThatStopsReadingIsClosedByTheSendTimeout() throws Exception {
        try (RawHttp c = new RawHttp(a.ampere.httpPort(), 4096)) {
            c.send("GET /v1/shape?table=big&offset=-1 HTTP/1.1\r\nHost: l\r\n\r\n");
            Thread.sleep(5_000); // the scenario: the client reads nothing for longer than the send timeout
            byte[] got = c.readToEnd();
            String tail = new String(got, Math.max(0, got.length - 20), Math.min(20, got.length),
                    StandardCharsets.ISO_8859_1);
            assertTrue(new String(got, 0, 15, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200"));
            assertFalse(tail.endsWith("0\r\n\r\n"), "the body was sent whole: " + got.length + " bytes");
            assertTrue(got.length < 9_000_000, got.length + " bytes");
        }
        try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
            assertEquals(200, c.send("GET /v1/health HTTP/1.1\r\nHost: l\r\n\r\n").read().status());
        }
    }

    @Test
    void aLongPollLongerThanBothTimeoutsCompletesAndTheConnectionServesOn() throws Exception {
        try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
            RawHttp.Response snap = c.send("GET /v1/shape?table=items&offset=-1 HTTP/1.1\r\nHost: l\r\n\r\n").read();
            assertEquals(200, snap.status(), snap.toString());
            String handle = snap.header("electric-handle");
            RawHttp.Response up = c.send("GET /v1/shape?table=items&handle=" + handle + "&offset="
                    + snap.header("electric-offset") + " HTTP/1.1\r\nHost: l\r\n\r\n").read();
            long start = System.nanoTime();
            RawHttp.Response live = c.send("GET /v1/shape?table=items&live=true&handle=" + handle + "&offset="
                    + up.header("electric-offset") + " HTTP/1.1\r\nHost: l\r\n\r\n").read();
            assertEquals(200, live.status(), live.toString());
            assertTrue(live.body().contains("up-to-date"), live.body());
            assertTrue(secondsSince(start) >= 4.9, "the long-poll waited " + secondsSince(start) + " s");
            assertEquals(200, c.send("GET /v1/health HTTP/1.1\r\nHost: l\r\n\r\n").read().status());
        }
    }

    @Test
    void anEventStreamOutlivesTheTimeouts() throws Exception {
        try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
            RawHttp.Response snap = c.send("GET /v1/shape?table=items&offset=-1 HTTP/1.1\r\nHost: l\r\n\r\n").read();
            c.send("GET /v1/shape?table=items&live=true&live_sse=true&handle=" + snap.header("electric-handle")
                    + "&offset=" + URLEncoder.encode(snap.header("electric-offset"), StandardCharsets.UTF_8)
                    + " HTTP/1.1\r\nHost: l\r\n\r\n");
            Thread.sleep((long) ((READ_TIMEOUT + 0.5) * 1000)); // the scenario: a stream quiet for longer than both
            a.sql("INSERT INTO items VALUES (2, 'two')");
            String stream = c.readUntil("\"two\"");
            assertTrue(stream.startsWith("HTTP/1.1 200"), stream);
            assertTrue(stream.contains("data: "), stream);
        }
    }

    @Test
    void anHttp2ConnectionWithoutStreamsIdlesForTheReadTimeout() throws Exception {
        try (RawHttp2 c = new RawHttp2(a.ampere.httpPort(), true)) {
            c.get(1, "/v1/health");
            assertTrue(c.body(1).contains("active"));
            long start = System.nanoTime();
            assertTrue(c.closedByServer());
            double took = secondsSince(start);
            assertTrue(took >= READ_TIMEOUT - 0.1 && took < READ_TIMEOUT + SLACK, "closed after " + took + " s");
        }
    }

    @Test
    void anHttp2ConnectionIsNotCutWhileAStreamWaits() throws Exception {
        var snap = a.shape(RunningAmpere.params("table", "items", "offset", "-1"));
        String handle = snap.headers().firstValue("electric-handle").orElseThrow();
        String offset = a.shape(RunningAmpere.params("table", "items", "handle", handle, "offset",
                snap.headers().firstValue("electric-offset").orElseThrow())).headers()
                .firstValue("electric-offset").orElseThrow();
        try (RawHttp2 c = new RawHttp2(a.ampere.httpPort(), true)) {
            long start = System.nanoTime();
            // a long-poll of 5 s, longer than the 3 s read timeout: the connection reads nothing meanwhile
            c.get(1, "/v1/shape?table=items&live=true&offset=" + offset + "&handle="
                    + URLEncoder.encode(handle, StandardCharsets.UTF_8));
            String body = c.body(1);
            assertTrue(body.contains("up-to-date"), body);
            assertTrue(secondsSince(start) >= 4.9, "answered after " + secondsSince(start) + " s");
            long idle = System.nanoTime();
            assertTrue(c.closedByServer());
            double took = secondsSince(idle);
            assertTrue(took < READ_TIMEOUT + SLACK, "closed after " + took + " s of idling");
        }
    }
}
