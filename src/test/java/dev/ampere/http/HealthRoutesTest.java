package dev.ampere.http;

import dev.ampere.Ampere;
import dev.ampere.stack.StackEvent;
import dev.ampere.stack.StackStatus;
import dev.ampere.testing.EventLog;
import dev.ampere.testing.TestConfig;
import dev.ampere.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.*;

/** The non-shape routes over real HTTP: health while waiting and when active, the root, 404s and CORS. */
class HealthRoutesTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path storage;

    private HttpResponse<String> get(int port, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthIsWaitingThenActive() throws Exception {
        String db = TestDatabase.createDatabase();
        String streamId = TestConfig.newStreamId();
        // Hold the stack's lock from outside, so that it must wait.
        try (Connection holder = TestDatabase.connect(db); Statement s = holder.createStatement()) {
            s.execute("SELECT pg_advisory_lock(hashtext('electric_slot_" + streamId + "'))");
            try (Ampere a = Ampere.start(TestConfig.config(TestDatabase.databaseUrl(db), streamId, storage));
                 EventLog log = new EventLog(a.stack().events())) {
                HttpResponse<String> waiting = get(a.httpPort(), "/v1/health");
                assertEquals(202, waiting.statusCode());
                assertEquals("{\"status\":\"waiting\"}", waiting.body());
                assertEquals("no-cache, no-store, must-revalidate", waiting.headers().firstValue("cache-control").orElseThrow());

                s.execute("SELECT pg_advisory_unlock(hashtext('electric_slot_" + streamId + "'))");
                if (a.stack().events().status() != StackStatus.ACTIVE) log.await(StackEvent.Ready.class, 30);
                HttpResponse<String> active = get(a.httpPort(), "/v1/health");
                assertEquals(200, active.statusCode());
                assertEquals("{\"status\":\"active\"}", active.body());
                assertEquals("application/json", active.headers().firstValue("content-type").orElseThrow());
            }
        }
        // Postgres ends the walsender of a closed connection asynchronously: the slot stays active until it has.
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            String slot = "'electric_slot_" + streamId + "'";
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (var rs = s.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = " + slot)) {
                    if (!rs.next() || !rs.getBoolean(1)) break;
                }
                assertTrue(System.nanoTime() < deadline, "the slot stayed active after Ampere closed");
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000); // polls an observed state
            }
            s.execute("SELECT pg_drop_replication_slot(" + slot + ")");
        }
    }

    @Test
    void rootUnknownPathsAndCors() throws Exception {
        String url = "postgresql://postgres@localhost:1/none?sslmode=disable"; // never connects; HTTP still serves
        try (Ampere a = Ampere.start(TestConfig.config(url, TestConfig.newStreamId(), storage))) {
            HttpResponse<String> root = get(a.httpPort(), "/");
            assertEquals(200, root.statusCode());
            assertEquals("", root.body());

            HttpResponse<String> missing = get(a.httpPort(), "/v2/nothing", "origin", "https://app.example");
            assertEquals(404, missing.statusCode());
            assertEquals("Not found", missing.body());
            assertEquals("https://app.example", missing.headers().firstValue("access-control-allow-origin").orElseThrow());
            assertEquals("GET, HEAD", missing.headers().firstValue("access-control-allow-methods").orElseThrow());

            HttpResponse<String> health = get(a.httpPort(), "/v1/health");
            assertEquals("*", health.headers().firstValue("access-control-allow-origin").orElseThrow());
            assertTrue(health.headers().firstValue("access-control-expose-headers").orElseThrow().contains("electric-handle"));
            assertTrue(health.headers().firstValue("electric-server").orElseThrow().startsWith("ElectricSQL/"));
        }
    }
}
