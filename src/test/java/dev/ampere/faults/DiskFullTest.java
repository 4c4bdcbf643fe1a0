package dev.ampere.faults;

import dev.ampere.stack.StackEvent;
import dev.ampere.testing.EventLog;
import dev.ampere.testing.RunningAmpere;
import dev.ampere.testing.SmallVolume;
import dev.ampere.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static dev.ampere.testing.RunningAmpere.params;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shape storage's volume fills up for real (a 16 MiB tmpfs of the test's own) while a shape is followed and
 * rows keep being written. The storage fault is named once and shown by the health endpoint; new shapes get 503
 * with retry-after; the existing shape is neither removed nor recreated; the slot is not confirmed past what was
 * stored; and once the space is back, every row written meanwhile reaches the client exactly once, without a
 * refetch, and the slot moves on.
 */
class DiskFullTest {
    private SmallVolume volume;
    private RunningAmpere a;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        volume = SmallVolume.mount(16);
        assumeTrue(volume != null, "this user cannot mount a tmpfs; StorageSpaceTest covers the fault hook");
        a = new RunningAmpere(volume.dir, "ELECTRIC_LONG_POLL_TIMEOUT", "2000");
        a.sql("CREATE TABLE items (id int PRIMARY KEY, title text)", "CREATE TABLE other (id int PRIMARY KEY)",
                "INSERT INTO items SELECT g, 'before ' || g FROM generate_series(1, 10) g");
    }

    @AfterEach
    void stop() throws Exception {
        if (a != null) a.close();
        if (volume != null) volume.close();
    }

    @Test
    void aFullVolumeHoldsChangesAndEverythingResumesWhenSpaceReturns() throws Exception {
        String base = "http://localhost:" + a.ampere.httpPort();
        ShapeClient client = new ShapeClient(base, "table", "items");
        client.catchUp(Duration.ofSeconds(30));
        a.sql("INSERT INTO items VALUES (11, 'creates the log queue')");
        awaitRows(client, 11);
        String handle = client.handle;

        try (EventLog events = new EventLog(a.ampere.stack().events())) {
            volume.fill();
            long inTransaction;
            try (Connection c = TestDatabase.connect(a.database); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.execute("INSERT INTO items SELECT g, repeat('x', 2000) || g FROM generate_series(12, 16) g");
                inTransaction = lsn(s, "SELECT pg_current_wal_insert_lsn()");
                c.commit();
                for (int t = 1; t < 10; t++) {
                    s.execute("INSERT INTO items SELECT g, repeat('y', 2000) || g FROM generate_series("
                            + (12 + 5 * t) + ", " + (16 + 5 * t) + ") g");
                    c.commit();
                }
            }
            StackEvent.StorageFailing failing = events.await(StackEvent.StorageFailing.class, 30);
            assertTrue(failing.reason().contains("no space left on device"), failing.reason());

            HttpResponse<String> health = get(base + "/v1/health");
            assertEquals(503, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"status\":\"degraded\""), health.body());

            HttpResponse<String> fresh = a.shape(params("table", "other", "offset", "-1"));
            assertEquals(503, fresh.statusCode(), fresh.body());
            assertTrue(fresh.headers().firstValue("retry-after").isPresent(), fresh.headers().toString());

            // Observed for two seconds: the acknowledgement must stay below the first transaction not stored.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < until) {
                long confirmed = confirmedFlushLsn();
                assertTrue(Long.compareUnsigned(confirmed, inTransaction) <= 0,
                        "slot confirmed " + Long.toHexString(confirmed) + " past what was stored ("
                                + Long.toHexString(inTransaction) + ")");
                assertTrue(a.ampere.shapes().byHandle(handle).isPresent(), "the shape was removed");
                Thread.sleep(100);
            }
            int status = client.poll(true);
            assertEquals(200, status, "a live request on the shape during the episode");
            assertEquals(handle, client.handle);
            assertFalse(a.ampere.shapes().byHandle(handle).orElseThrow().hasEnded(), "the shape ended");

            volume.free();
            events.await(StackEvent.StorageRecovered.class, 30);
            assertEquals(1, events.all().stream().filter(e -> e instanceof StackEvent.StorageFailing).count(),
                    "one storage episode, named once: " + events.all());
        }
        assertEquals(200, get(base + "/v1/health").statusCode());

        awaitRows(client, 61);
        assertEquals(0, client.refetches, "the client had to refetch");
        assertEquals(handle, client.handle);
        List<String> episodeInserts = new ArrayList<>(client.inserts.subList(11, client.inserts.size()));
        assertEquals(50, episodeInserts.size(), "rows written during the episode, each exactly once: " + episodeInserts);
        assertEquals(50, episodeInserts.stream().distinct().count(), episodeInserts.toString());
        assertEquals(selectTitles(), byId(client.column("title")));

        long end;
        try (Connection c = TestDatabase.connect(a.database); Statement s = c.createStatement()) {
            end = lsn(s, "SELECT pg_current_wal_lsn()");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Long.compareUnsigned(confirmedFlushLsn(), end) < 0) {
            assertTrue(System.nanoTime() < deadline, "the slot did not move on after the space returned");
            a.sql("INSERT INTO other VALUES (" + (int) (Math.random() * 1e9) + ") ON CONFLICT DO NOTHING");
            Thread.sleep(200);
        }
        HttpResponse<String> created = a.shape(params("table", "other", "offset", "-1"));
        assertEquals(200, created.statusCode(), created.body());
    }

    private void awaitRows(ShapeClient client, int rows) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (client.rows.size() < rows) {
            assertTrue(System.nanoTime() < deadline, "only " + client.rows.size() + " of " + rows + " rows arrived");
            int s = client.poll(client.upToDate);
            assertTrue(s == 200 || s == 204, "GET /v1/shape answered " + s);
        }
    }

    private Map<String, String> selectTitles() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = TestDatabase.connect(a.database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, title FROM items")) {
            while (rs.next()) out.put(rs.getString(1), rs.getString(2));
        }
        return out;
    }

    /** Keys are {@code "public"."items"/"<id>"}: the same map by id. */
    private static Map<String, String> byId(Map<String, String> byKey) {
        Map<String, String> out = new TreeMap<>();
        byKey.forEach((k, v) -> out.put(k.substring(k.lastIndexOf("/\"") + 2, k.length() - 1), v));
        return out;
    }

    private long confirmedFlushLsn() throws Exception {
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            return lsn(s, "SELECT coalesce(confirmed_flush_lsn, '0/0') FROM pg_replication_slots WHERE slot_name = "
                    + "'electric_slot_" + a.streamId + "'");
        }
    }

    private static long lsn(Statement s, String query) throws Exception {
        try (ResultSet rs = s.executeQuery(query)) {
            assertTrue(rs.next(), query);
            String[] parts = rs.getString(1).split("/");
            return (Long.parseLong(parts[0], 16) << 32) | Long.parseLong(parts[1], 16);
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
