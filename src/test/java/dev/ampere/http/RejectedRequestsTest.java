package dev.ampere.http;

import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every request Helidon rejects before routing (docs/protocol.md §1.4) is a 4xx with a JSON body in Electric's format
 * and the CORS headers, never a 5xx and never an empty body; the server closes the connection after it.
 */
class RejectedRequestsTest {
    private static RunningAmpere a;

    @BeforeAll
    static void start() throws Exception {
        a = new RunningAmpere();
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
    }

    private static final String HEAD = "Host: localhost\r\nOrigin: https://app.example\r\n";

    @Test
    void eachMalformedRequestIsA4xxWithAJsonBody() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("an invalid method", "G(T /v1/shape HTTP/1.1\r\n" + HEAD + "\r\n");
        cases.put("a NUL in the method", "GE\0T /v1/shape HTTP/1.1\r\n" + HEAD + "\r\n");
        cases.put("a raw [ in the query", "GET /v1/shape?table=[x] HTTP/1.1\r\n" + HEAD + "\r\n");
        cases.put("a raw \" in the query", "GET /v1/shape?table=\"x\" HTTP/1.1\r\n" + HEAD + "\r\n");
        cases.put("a raw space in the target", "GET /v1/shape?table=a b HTTP/1.1\r\n" + HEAD + "\r\n");
        cases.put("no target", "GET HTTP/1.1\r\n" + HEAD + "\r\n");
        cases.put("an unknown version", "GET /v1/health HTTP/2.0\r\n" + HEAD + "\r\n");
        cases.put("a bare line feed", "GET /v1/health HTTP/1.1\nHost: localhost\n\n");
        cases.put("a header without a colon", "GET /v1/health HTTP/1.1\r\n" + HEAD + "nonsense\r\n\r\n");
        cases.put("headers over the limit", "GET /v1/health HTTP/1.1\r\n" + HEAD + "x-big: " + "a".repeat(40_000)
                + "\r\n\r\n");
        cases.put("a non-numeric Content-Length", "GET /v1/health HTTP/1.1\r\n" + HEAD
                + "Content-Length: abc\r\n\r\n");
        cases.put("Content-Length with Transfer-Encoding", "GET /v1/health HTTP/1.1\r\n" + HEAD
                + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
        cases.put("an unsupported transfer coding", "GET /v1/health HTTP/1.1\r\n" + HEAD
                + "Transfer-Encoding: gzip, chunked\r\n\r\n");
        cases.put("a request line over the limit", "GET /v1/shape?table=" + "a".repeat(20_000) + " HTTP/1.1\r\n"
                + HEAD + "\r\n");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            try (RawHttp raw = new RawHttp(a.ampere.httpPort())) {
                RawHttp.Response r = raw.send(c.getValue()).read();
                String what = c.getKey() + ": " + r;
                assertTrue(r.status() >= 400 && r.status() < 500, what);
                assertTrue(r.header("content-type").startsWith("application/json"), what);
                assertTrue(r.body().startsWith("{\"") && r.body().endsWith("}"), what);
                assertTrue(r.body().contains("\"message\":") || r.body().contains("\"error\":"), what);
                assertNotNull(r.header("access-control-allow-origin"), what);
                assertNotNull(r.header("electric-server"), what);
                assertEquals("close", r.header("connection"), what);
                assertTrue(raw.closedByServer(), what);
            }
        }
    }

    @Test
    void theBodiesNameTheProblem() throws Exception {
        try (RawHttp raw = new RawHttp(a.ampere.httpPort())) {
            RawHttp.Response r = raw.send("G(T /v1/shape HTTP/1.1\r\n" + HEAD + "\r\n").read();
            assertEquals(400, r.status());
            assertEquals("{\"message\":\"Invalid request\",\"errors\":{\"request\":"
                    + "[\"malformed request line, headers or body\"]}}", r.body());
            // The request line failed, so its headers were never read: no Origin to echo.
            assertEquals("*", r.header("access-control-allow-origin"));
        }
        try (RawHttp raw = new RawHttp(a.ampere.httpPort())) {
            RawHttp.Response r = raw.send("GET /v1/health HTTP/1.1\r\n" + HEAD + "Content-Length: abc\r\n\r\n").read();
            assertEquals(400, r.status());
            assertEquals("https://app.example", r.header("access-control-allow-origin"));
            assertEquals("origin", r.header("vary"));
        }
        try (RawHttp raw = new RawHttp(a.ampere.httpPort())) {
            RawHttp.Response r = raw.send("GET /v1/shape?table=" + "a".repeat(20_000) + " HTTP/1.1\r\n" + HEAD
                    + "\r\n").read();
            assertEquals(414, r.status());
            assertEquals("{\"message\":\"Request URI too long\"}", r.body());
        }
    }

    @Test
    void aLongRequestLineWithinTheLimitIsServed() throws Exception {
        // Electric's Bandit accepts request lines of 10,000 bytes; so does Ampere.
        String where = "id%20IN%20(" + "1,".repeat(3_000) + "1)";
        try (RawHttp raw = new RawHttp(a.ampere.httpPort())) {
            RawHttp.Response r = raw.send("GET /v1/shape?table=nosuch&offset=-1&where=" + where + " HTTP/1.1\r\n"
                    + HEAD + "\r\n").read();
            assertEquals(400, r.status(), r.toString());
            assertTrue(r.body().contains("\"table\""), r.body()); // routed: the table is what is wrong
        }
    }

    @Test
    void aBadlyFramedBodyIsNeverA5xx() throws Exception {
        for (String size : new String[] {"zz", "-1", "fffffffffffffffff", "1;" + "x".repeat(20_000)}) {
            for (String target : new String[] {"/v1/health", "/v1/shape?table=x", "/nowhere"}) {
                try (RawHttp raw = new RawHttp(a.ampere.httpPort())) {
                    // The routes read no bodies: each answers from the request line, then the body's framing fails
                    // or waits for bytes that never come (ConnectionTimeoutsTest: closed by the read timeout).
                    RawHttp.Response r = raw.send("POST " + target + " HTTP/1.1\r\n" + HEAD
                            + "Transfer-Encoding: chunked\r\n\r\n" + size + "\r\nabc\r\n0\r\n\r\n").read();
                    assertTrue(r.status() < 500, size + " " + target + ": " + r);
                    if (target.startsWith("/v1/shape") && size.equals("zz")) {
                        // POST /v1/shape reads its body: the broken framing is the answer, and the connection ends
                        assertEquals(400, r.status(), r.toString());
                        assertEquals(new String(RejectionResponses.malformed()), r.body());
                        assertEquals("close", r.header("connection"));
                        assertEquals("", new String(raw.readToEnd()), "nothing after the answer");
                    }
                }
            }
        }
    }

    @Test
    void theServerStillServesAfterwards() throws Exception {
        try (RawHttp raw = new RawHttp(a.ampere.httpPort())) {
            RawHttp.Response r = raw.send("GET /v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
            assertEquals(200, r.status());
        }
    }
}
