package dev.ampere.http;

import dev.ampere.testing.RawHttp2;
import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The connection cap (docs/protocol.md §5): a connection opened while the cap's worth are open has its request
 * answered 503 with {@code retry-after} and a JSON body, and is closed; once one closes, new ones are served again.
 */
class ConnectionCapTest {
    private static RunningAmpere a;

    @BeforeAll
    static void start() throws Exception {
        a = new RunningAmpere("AMPERE_MAX_CONNECTIONS", "3");
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
    }

    @Test
    void connectionsPastTheCapAreRefusedCleanly() throws Exception {
        List<RawHttp> held = fillToTheCap();
        try {
            try (RawHttp over = new RawHttp(a.ampere.httpPort())) {
                RawHttp.Response r = over.send("GET /v1/health HTTP/1.1\r\nHost: l\r\n\r\n").read();
                assertEquals(503, r.status(), r.toString());
                assertEquals("1", r.header("retry-after"));
                assertEquals("{\"message\":\"Too many open connections (limit: 3), please retry\"}", r.body());
                assertEquals("close", r.header("connection"));
                assertTrue(over.closedByServer());
            }
            // One of the three ends: the server closes it after this response, having first let go of its count.
            RawHttp first = held.removeFirst();
            assertEquals(200, first.send("GET /v1/health HTTP/1.1\r\nHost: l\r\nConnection: close\r\n\r\n")
                    .read().status());
            assertTrue(first.closedByServer());
            first.close();
            try (RawHttp again = new RawHttp(a.ampere.httpPort())) {
                assertEquals(200, again.send("GET /v1/health HTTP/1.1\r\nHost: l\r\n\r\n").read().status());
            }
        } finally {
            for (RawHttp c : held) c.close();
        }
    }

    /** An HTTP/2 connection (prior knowledge) past the cap: each of its streams is answered the same JSON 503. */
    @Test
    void http2ConnectionsPastTheCapGetA503OnEachStream() throws Exception {
        List<RawHttp> held = fillToTheCap();
        try {
            try (RawHttp2 over = new RawHttp2(a.ampere.httpPort(), true)) {
                for (int stream : new int[]{1, 3}) {
                    over.get(stream, "/v1/health");
                    assertEquals("{\"message\":\"Too many open connections (limit: 3), please retry\"}",
                            over.body(stream));
                }
            }
        } finally {
            for (RawHttp c : held) c.close();
        }
    }

    /** Opens connections up to the cap (3), each answered once; the caller closes them. */
    private static List<RawHttp> fillToTheCap() throws Exception {
        List<RawHttp> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RawHttp c = new RawHttp(a.ampere.httpPort());
            held.add(c);
            assertEquals(200, c.send("GET /v1/health HTTP/1.1\r\nHost: l\r\n\r\n").read().status());
        }
        return held;
    }
}
