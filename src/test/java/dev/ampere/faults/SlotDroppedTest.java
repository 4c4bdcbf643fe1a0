package dev.ampere.faults;

import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.ampere.faults.FaultChecks.assertShapeMatchesSelect;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replication slot dropped under live shapes (its walsender terminated, then the slot dropped before Ampere
 * reconnects): what was stored can no longer be continued, so every client gets 409 and resyncs, and then equals
 * {@code SELECT}, including the rows written while the slot was gone.
 */
class SlotDroppedTest {
    private static final Duration WITHIN = Duration.ofSeconds(90);
    private RunningAmpere a;
    private FaultChecks.Db db;

    @BeforeEach
    void start() throws Exception {
        a = new RunningAmpere();
        db = FaultChecks.Db.shared(a.database);
        a.sql("CREATE TABLE items (id int PRIMARY KEY, title text, n int)",
                "INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(1, 1000) g");
    }

    @AfterEach
    void stop() throws Exception {
        if (a != null) a.close();
    }

    @Test
    void clientsOfShapesWhoseSlotWasDroppedResyncToCorrectData() throws Exception {
        String url = "http://localhost:" + a.ampere.httpPort();
        List<ShapeClient> clients = List.of(new ShapeClient(url, "table", "items"),
                new ShapeClient(url, "table", "items", "where", "n % 4 = 1"));
        for (ShapeClient c : clients) c.catchUp(WITHIN);
        List<String> handles = clients.stream().map(c -> c.handle).toList();

        dropSlotUnderAmpere();
        a.sql("INSERT INTO items VALUES (2000, 'while the slot was gone', 2001)", "DELETE FROM items WHERE id < 50");
        FaultChecks.awaitReplicated(db, a.streamId, WITHIN);
        a.sql("UPDATE items SET n = n + 1 WHERE id % 9 = 0");
        FaultChecks.awaitReplicated(db, a.streamId, WITHIN);
        for (int i = 0; i < clients.size(); i++) {
            ShapeClient c = clients.get(i);
            c.catchUp(WITHIN);
            assertTrue(c.refetches >= 1, "the client was not told to refetch after the slot was dropped");
            assertTrue(!handles.get(i).equals(c.handle), "the same handle was kept across a lost slot");
        }
        assertShapeMatchesSelect(clients.get(0), db, "items", null);
        assertShapeMatchesSelect(clients.get(1), db, "items", "n % 4 = 1");
        System.out.println("fault suite: slot dropped under 2 live shapes: both clients got 409, resynced, "
                + "and equal SELECT");
    }

    /** Terminates the walsender and drops the slot in the moment before Ampere reconnects (bounded tries). */
    private void dropSlotUnderAmpere() throws Exception {
        String slot = "electric_slot_" + a.streamId;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            while (true) {
                assertTrue(System.nanoTime() < deadline, "could not drop the slot");
                s.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '"
                        + slot + "' AND active");
                try {
                    s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
                    return;
                } catch (SQLException e) {
                    // still active (the walsender is exiting, or Ampere was back first): again
                    Thread.sleep(5);
                }
            }
        }
    }
}
