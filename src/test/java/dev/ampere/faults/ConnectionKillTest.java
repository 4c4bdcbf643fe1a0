package dev.ampere.faults;

import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.ampere.faults.FaultChecks.assertShapeMatchesSelect;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Postgres backends of Ampere killed (pg_terminate_backend) while a snapshot is being taken: the pool connection
 * running the snapshot query, and the walsender. The request for the shape in snapshot may fail (503 with
 * retry-after, or 409 and a new handle), never with another 5xx; the client then gets the right rows, and a shape
 * followed meanwhile stays equal to {@code SELECT}.
 */
class ConnectionKillTest {
    private static final Duration WITHIN = Duration.ofSeconds(90);
    private RunningAmpere a;
    private FaultChecks.Db db;

    @BeforeEach
    void start() throws Exception {
        a = new RunningAmpere();
        db = FaultChecks.Db.shared(a.database);
        a.sql("CREATE TABLE items (id int PRIMARY KEY, title text, n int)",
                "INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(1, 500) g",
                "CREATE TABLE big (id int PRIMARY KEY, title text, n int)",
                "INSERT INTO big SELECT g, repeat('b', 200) || g, g FROM generate_series(1, 60000) g");
    }

    @AfterEach
    void stop() throws Exception {
        if (a != null) a.close();
    }

    @Test
    void thePoolConnectionOfASnapshotKilledMidway() throws Exception {
        killMidSnapshot(FaultChecks.snapshotBackends("big"), "the snapshot's pool connection");
    }

    @Test
    void theWalsenderKilledDuringASnapshot() throws Exception {
        killMidSnapshot("SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'electric_slot_" + a.streamId
                + "' AND active", "the walsender");
    }

    private void killMidSnapshot(String pidQuery, String what) throws Exception {
        String url = "http://localhost:" + a.ampere.httpPort();
        ShapeClient items = new ShapeClient(url, "table", "items", "where", "n % 2 = 0");
        items.catchUp(WITHIN);
        ShapeClient big = new ShapeClient(url, "table", "big");
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> {
            try {
                return big.poll(false);
            } catch (Exception e) {
                return -1;
            }
        });
        assertTrue(FaultChecks.await(db, "SELECT count(*) FROM (" + FaultChecks.snapshotBackends("big") + ") AS b",
                60), "no snapshot query seen");
        assertTrue(FaultChecks.terminateWhenSeen(db, pidQuery, 60), "no backend for " + what);
        a.sql("UPDATE items SET n = n + 1 WHERE id % 3 = 0", "UPDATE big SET title = 'changed' WHERE id % 100 = 0",
                "INSERT INTO items VALUES (1000, 'after the kill', 1000)");
        int status = first.get(60, TimeUnit.SECONDS);
        assertTrue(status == 200 || status == 409 || status == 503 || status == -1,
                "the first request of the snapshot answered " + status);
        FaultChecks.awaitReplicated(db, a.streamId, WITHIN);
        big.catchUp(WITHIN);
        items.catchUp(WITHIN);
        assertShapeMatchesSelect(big, db, "big", null);
        assertShapeMatchesSelect(items, db, "items", "n % 2 = 0");
        System.out.println("fault suite: " + what + " killed mid-snapshot: first request " + status + ", "
                + big.refetches + " refetch(es), " + big.unavailable + " 503(s); both shapes equal SELECT");
    }
}
