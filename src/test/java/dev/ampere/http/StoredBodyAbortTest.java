package dev.ampere.http;

import dev.ampere.testing.RawHttp;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A stored copy (a compressed chunk) that fails while it is sent is visibly cut off (docs/protocol.md §1.4): the
 * client got a Content-Length and the connection closes before that many bytes, so no client or cache can take the
 * short body for a whole one. Over a real Helidon server and socket.
 */
class StoredBodyAbortTest {
    private static final int PROMISED = 1_000_000;
    private static WebServer server;

    @BeforeAll
    static void start() {
        server = WebServer.builder().port(0).host("127.0.0.1").routing(HttpRouting.builder()
                .get("/cut", (req, res) -> {
                    res.header("content-encoding", "gzip");
                    ResponseBody.sendStored(res, PROMISED, out -> {
                        byte[] part = new byte[300_000];
                        Arrays.fill(part, (byte) 'x');
                        out.write(part);
                        throw new IOException("the stored copy ended early");
                    });
                })
                .get("/whole", (req, res) -> {
                    byte[] all = new byte[PROMISED];
                    ResponseBody.sendStored(res, PROMISED, out -> out.write(all));
                })).build().start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
    }

    @Test
    void aCopyThatFailsMidwayEndsTheConnectionShortOfItsLength() throws Exception {
        byte[] all = RawHttp.exchange(server.port(), "GET /cut HTTP/1.1\r\nHost: localhost\r\n\r\n");
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        assertTrue(headEnd > 0, "the head was sent: " + text.substring(0, Math.min(200, text.length())));
        String head = text.substring(0, headEnd).toLowerCase();
        assertTrue(head.startsWith("http/1.1 200"), head);
        assertTrue(head.contains("content-length: " + PROMISED), head);
        int body = all.length - headEnd - 4;
        assertTrue(body > 0, "the body had started");
        assertTrue(body < PROMISED, "the connection closed short of the promised length: " + body);
    }

    @Test
    void aClientSeesAFailedTransferNotAShortBody() {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/cut")).build();
        assertThrows(IOException.class, () -> http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
    }

    @Test
    void aWholeCopyArrivesWithItsLength() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/whole")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals(PROMISED, r.body().length);
        assertEquals(String.valueOf(PROMISED), r.headers().firstValue("content-length").orElseThrow());
    }
}
