package dev.ampere.http;

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
        List<RawHttp> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawHttp c = new RawHttp(a.ampere.httpPort());
                held.add(c);
                assertEquals(200, c.send("GET /v1/health HTTP/1.1\r\nHost: l\r\n\r\n").read().status());
            }
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

    /**
     * An HTTP/2 connection (prior knowledge) past the cap: each stream is answered the same JSON 503, a frame
     * exchange written by hand (HPACK without Huffman coding) since the JDK's client cannot open with the preface.
     */
    @Test
    void http2ConnectionsPastTheCapGetA503OnEachStream() throws Exception {
        List<RawHttp> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawHttp c = new RawHttp(a.ampere.httpPort());
                held.add(c);
                assertEquals(200, c.send("GET /v1/health HTTP/1.1\r\nHost: l\r\n\r\n").read().status());
            }
            try (java.net.Socket s = new java.net.Socket("localhost", a.ampere.httpPort())) {
                s.setSoTimeout(10_000);
                var out = new java.io.DataOutputStream(s.getOutputStream());
                var in = new java.io.DataInputStream(s.getInputStream());
                out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                frame(out, 0x4, 0, 0, new byte[0]); // SETTINGS
                java.io.ByteArrayOutputStream block = new java.io.ByteArrayOutputStream();
                block.write(0x82); // :method GET
                block.write(0x86); // :scheme http
                literal(block, 0x04, "/v1/health"); // :path
                literal(block, 0x01, "localhost"); // :authority
                frame(out, 0x1, 0x4 | 0x1, 1, block.toByteArray()); // HEADERS, END_HEADERS | END_STREAM
                out.flush();
                java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
                while (true) {
                    int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
                    int type = in.readUnsignedByte();
                    int flags = in.readUnsignedByte();
                    int stream = in.readInt() & 0x7fffffff;
                    byte[] payload = in.readNBytes(length);
                    assertNotEquals(0x7, type, "no GOAWAY");
                    assertNotEquals(0x3, type, "no RST_STREAM");
                    if (type == 0x0 && stream == 1) {
                        body.write(payload);
                        if ((flags & 0x1) != 0) break;
                    }
                }
                assertEquals("{\"message\":\"Too many open connections (limit: 3), please retry\"}",
                        body.toString(java.nio.charset.StandardCharsets.UTF_8));
            }
        } finally {
            for (RawHttp c : held) c.close();
        }
    }

    private static void frame(java.io.DataOutputStream out, int type, int flags, int stream, byte[] payload)
            throws java.io.IOException {
        out.writeByte(payload.length >>> 16);
        out.writeShort(payload.length & 0xffff);
        out.writeByte(type);
        out.writeByte(flags);
        out.writeInt(stream);
        out.write(payload);
    }

    /** An HPACK literal header field without indexing, its name indexed in the static table. */
    private static void literal(java.io.ByteArrayOutputStream block, int nameIndex, String value) {
        byte[] v = value.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        block.write(nameIndex); // 0000xxxx: without indexing, name index < 15
        block.write(v.length); // no Huffman, length < 127
        block.writeBytes(v);
    }
}
