package dev.ampere.http;

import dev.ampere.testing.RawHttp2;
import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A client that goes away mid-response or while its long-poll waits is an expected condition (docs/protocol.md
 * §1.4): no warning and no stack trace is logged for it, by Ampere or by Helidon; nor for an HTTP/2 client that
 * resets one stream, whose connection serves on.
 */
class ClientsThatGoAwayTest {
    private static final Logger CONNECTIONS = Logger.getLogger("io.helidon.webserver.ConnectionHandler");
    private static RunningAmpere a;
    private static Level connectionsLevel;

    /** Helidon's records: warnings from anywhere, and each connection's end ("socket closed"). */
    private static final BlockingQueue<LogRecord> closed = new LinkedBlockingQueue<>();
    private static final List<LogRecord> warnings = new ArrayList<>();
    private static final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                synchronized (warnings) {
                    warnings.add(r);
                }
            }
            if (String.valueOf(r.getMessage()).contains("socket closed")) closed.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeAll
    static void start() throws Exception {
        // the send timeout bounds how long a stream whose client stopped reading waits for its flow-control window
        a = new RunningAmpere("ELECTRIC_LONG_POLL_TIMEOUT", "20000", "ELECTRIC_TCP_SEND_TIMEOUT", "2s");
        // about 6 MB of snapshot: far more than the socket buffers hold, so the server is writing when the client goes
        a.sql("CREATE TABLE big (id int PRIMARY KEY, title text)",
                "INSERT INTO big SELECT g, repeat('x', 300) || g FROM generate_series(1, 20000) g");
        connectionsLevel = CONNECTIONS.getLevel();
        CONNECTIONS.setLevel(Level.FINEST);
        Logger.getLogger("").addHandler(handler);
    }

    @AfterAll
    static void stop() throws Exception {
        Logger.getLogger("").removeHandler(handler);
        CONNECTIONS.setLevel(connectionsLevel);
        a.close();
    }

    /** Runs {@code scenario} with standard error captured, then waits for the server to end the connection. */
    private static String quietly(ThrowingRunnable scenario) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new TeeStream(err, captured), true, StandardCharsets.UTF_8));
        try {
            closed.clear();
            synchronized (warnings) {
                warnings.clear();
            }
            scenario.run();
            assertNotNull(closed.poll(30, TimeUnit.SECONDS), "the server never ended the connection");
        } finally {
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static void assertNothingLogged(String stderr) {
        synchronized (warnings) {
            assertEquals(List.of(), warnings.stream().map(r -> r.getLoggerName() + ": " + r.getMessage()).toList());
        }
        for (String line : stderr.lines().toList()) {
            assertFalse(line.contains("WARN") || line.contains("ERROR") || line.startsWith("\tat "), stderr);
        }
    }

    @Test
    void aClientThatResetsMidBodyLogsNoWarning() throws Exception {
        String stderr = quietly(() -> {
            RawHttp c = new RawHttp(a.ampere.httpPort());
            c.send("GET /v1/shape?table=big&offset=-1 HTTP/1.1\r\nHost: l\r\n\r\n");
            RawHttp.Response head = c.readHead();
            assertEquals(200, head.status());
            c.socket.setSoLinger(true, 0); // a reset, as a browser tab that closes
            c.close();
        });
        assertNothingLogged(stderr);
    }

    @Test
    void aClientThatClosesMidBodyLogsNoWarning() throws Exception {
        String stderr = quietly(() -> {
            RawHttp c = new RawHttp(a.ampere.httpPort());
            c.send("GET /v1/shape?table=big&offset=-1 HTTP/1.1\r\nHost: l\r\n\r\n");
            assertEquals(200, c.readHead().status());
            c.close();
        });
        assertNothingLogged(stderr);
    }

    @Test
    void aClientThatLeavesItsLongPollLogsNoWarning() throws Exception {
        RawHttp.Response snap;
        try (RawHttp c = new RawHttp(a.ampere.httpPort())) {
            snap = c.send("GET /v1/shape?table=big&offset=-1&where=id%3D1 HTTP/1.1\r\nHost: l\r\n"
                    + "Connection: close\r\n\r\n").read();
        }
        String stderr = quietly(() -> {
            RawHttp c = new RawHttp(a.ampere.httpPort());
            c.send("GET /v1/shape?table=big&where=id%3D1&live=true&handle=" + snap.header("electric-handle")
                    + "&offset=" + snap.header("electric-offset") + " HTTP/1.1\r\nHost: l\r\n\r\n");
            c.socket.setSoLinger(true, 0);
            c.close();
            a.sql("UPDATE big SET title = 'changed' WHERE id = 1"); // the long-poll answers into the reset socket
        });
        assertNothingLogged(stderr);
    }

    @Test
    void anHttp2ClientThatResetsItsStreamMidBodyLogsNoWarningAndKeepsItsConnection() throws Exception {
        String stderr = quietly(() -> {
            try (RawHttp2 c = new RawHttp2(a.ampere.httpPort(), true)) {
                c.get(1, "/v1/shape?table=big&offset=-1");
                RawHttp2.Frame f;
                while ((f = c.read()) != null && !(f.stream() == 1 && f.type() == RawHttp2.HEADERS)) {
                    // the server's SETTINGS and its ACK
                }
                assertNotNull(f, "stream 1 answered");
                c.reset(1); // the client gives up on the snapshot: it never opens stream 1's window again
                c.get(3, "/v1/health");
                boolean served = false;
                boolean given = false; // the server resets stream 1 once its window stayed shut for the send timeout
                while (!(served && given)) {
                    f = c.read();
                    assertNotNull(f, "the connection was closed");
                    assertNotEquals(RawHttp2.GOAWAY, f.type());
                    if (f.stream() == 3) {
                        assertNotEquals(RawHttp2.RST_STREAM, f.type());
                        served |= f.endStream();
                    }
                    given |= f.stream() == 1 && f.type() == RawHttp2.RST_STREAM;
                }
            }
        });
        assertNothingLogged(stderr);
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
