package dev.ampere.http;

import dev.ampere.config.Config;
import dev.ampere.testing.RawHttp2;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A body that fails after its start (docs/architecture.md, "HTTP/2"): over HTTP/1.1 it closes the connection; over
 * HTTP/2 it resets only its own stream, with INTERNAL_ERROR and without END_STREAM, and the connection serves on.
 * Over Ampere's listener (HttpServer.listener) with a route that fails on purpose.
 */
class Http2AbortTest {
    private static final int INTERNAL_ERROR = 0x2;
    private static WebServer server;
    private static ClientConnections connections;

    @BeforeAll
    static void start() {
        Config config = Config.fromEnvironment(Map.of("ELECTRIC_INSECURE", "true")).withPort(0);
        RejectionResponses rejection = new RejectionResponses(config.http().maxConnections());
        connections = new ClientConnections(config.http(), rejection.overCapRouter());
        HttpRouting.Builder routing = HttpRouting.builder()
                .get("/cut", (req, res) -> {
                    ResponseBody body = new ResponseBody(res);
                    res.header("content-type", "application/json");
                    byte[] part = new byte[1000];
                    Arrays.fill(part, (byte) 'x');
                    body.write(part);
                    body.flush(); // status, headers and the first bytes are out
                    body.abort(new IOException("the log could not be read"));
                })
                .get("/ok", (req, res) -> res.send("ok"));
        server = HttpServer.listener(config, connections, rejection, routing).build().start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
        connections.close();
    }

    @Test
    void aFailedBodyResetsOnlyItsStream() throws Exception {
        try (RawHttp2 c = new RawHttp2(server.port(), true)) {
            c.get(1, "/ok");
            assertEquals("ok", c.body(1));
            c.get(3, "/cut");
            int data = 0;
            RawHttp2.Frame f;
            while ((f = c.read()) != null && !(f.type() == RawHttp2.RST_STREAM && f.stream() == 3)) {
                assertNotEquals(RawHttp2.GOAWAY, f.type(), "the connection is not ended");
                if (f.stream() == 3) {
                    assertFalse(f.endStream(), "the cut body does not end as if whole");
                    if (f.type() == RawHttp2.DATA) data += f.payload().length;
                }
            }
            assertNotNull(f, "stream 3 was reset, the connection kept");
            assertEquals(INTERNAL_ERROR, ByteBuffer.wrap(f.payload()).getInt());
            assertEquals(1000, data);
            c.get(5, "/ok");
            assertEquals("ok", c.body(5));
        }
    }

    @Test
    void overHttp1TheConnectionCloses() throws Exception {
        byte[] all = dev.ampere.testing.RawHttp.exchange(server.port(), "GET /cut HTTP/1.1\r\nHost: l\r\n\r\n");
        String text = new String(all, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("HTTP/1.1 200"), text);
        assertFalse(text.endsWith("0\r\n\r\n"), "no terminating chunk: " + text.substring(text.length() - 20));
    }
}
