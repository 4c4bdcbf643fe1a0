package dev.ampere.faults;

import dev.ampere.testing.TestConfig;
import dev.ampere.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.ampere.faults.FaultChecks.assertShapeMatchesSelect;
import static dev.ampere.faults.FaultChecks.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGKILL of Ampere (its own JVM) while idle, during a snapshot and during a large transaction; started again on
 * the same storage, every shape a client follows must equal {@code SELECT} of its rows, each row once. Shapes
 * whose snapshot was complete are recovered (no refetch); one caught mid-snapshot is gone and refetched.
 */
class KillNineTest {
    private static final Duration CATCH_UP = Duration.ofSeconds(90);
    private FaultChecks.Db database;
    private String streamId;
    private Path storage;
    private AmpereProcess ampere;

    @BeforeEach
    void start() throws Exception {
        String name = TestDatabase.createDatabase();
        database = FaultChecks.Db.shared(name);
        streamId = TestConfig.newStreamId();
        storage = Files.createTempDirectory("ampere-kill9");
        sql(database, "CREATE TABLE items (id int PRIMARY KEY, title text, n int)",
                "INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(1, 2000) g");
        ampere = AmpereProcess.start(TestDatabase.databaseUrl(name), streamId, storage);
    }

    @AfterEach
    void stop() throws Exception {
        if (ampere != null) ampere.close();
        FaultChecks.dropSlot(streamId);
    }

    private List<ShapeClient> followThree() throws Exception {
        List<ShapeClient> clients = List.of(
                new ShapeClient(ampere.url(), "table", "items"),
                new ShapeClient(ampere.url(), "table", "items", "where", "n % 3 = 0"),
                new ShapeClient(ampere.url(), "table", "items", "where", "title LIKE 'moved%' OR id < 100"));
        for (ShapeClient c : clients) c.catchUp(CATCH_UP);
        return clients;
    }

    private void churn(int round) throws Exception {
        sql(database,
                "UPDATE items SET n = n + 1, title = 'moved " + round + "' WHERE id % 7 = " + round % 7,
                "DELETE FROM items WHERE id % 11 = " + round % 11,
                "INSERT INTO items SELECT g, 'new ' || g, g FROM generate_series(" + (10000 * round) + ", "
                        + (10000 * round + 300) + ") g");
    }

    private void checkAll(List<ShapeClient> clients, String... wheres) throws Exception {
        FaultChecks.awaitReplicated(database, streamId, CATCH_UP);
        for (int i = 0; i < clients.size(); i++) {
            clients.get(i).catchUp(CATCH_UP);
            assertShapeMatchesSelect(clients.get(i), database, "items", wheres[i]);
        }
    }

    @Test
    void killedWhileIdle() throws Exception {
        List<ShapeClient> clients = followThree();
        churn(1);
        for (ShapeClient c : clients) c.catchUp(CATCH_UP);
        ampere.kill9();
        churn(2);
        ampere.launch();
        churn(3);
        checkAll(clients, null, "n % 3 = 0", "title LIKE 'moved%' OR id < 100");
        for (ShapeClient c : clients) assertEquals(0, c.refetches, "a recovered shape was refetched");
        System.out.println("fault suite: kill -9 while idle: 3 shapes equal SELECT after restart, no refetch");
    }

    @Test
    void killedDuringASnapshot() throws Exception {
        sql(database, "CREATE TABLE big (id int PRIMARY KEY, title text)",
                "INSERT INTO big SELECT g, repeat('b', 200) || g FROM generate_series(1, 60000) g");
        List<ShapeClient> clients = followThree();
        ShapeClient bigClient = new ShapeClient(ampere.url(), "table", "big");
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> {
            try {
                return bigClient.poll(false);
            } catch (Exception e) {
                return -1;
            }
        });
        boolean inSnapshot = FaultChecks.await(database,
                "SELECT count(*) FROM (" + FaultChecks.snapshotBackends("big") + ") AS b", 60);
        ampere.kill9();
        assertTrue(inSnapshot, "the snapshot query was never seen running");
        first.join();
        churn(4);
        sql(database, "UPDATE big SET title = 'after' WHERE id % 1000 = 0");
        ampere.launch();
        FaultChecks.awaitReplicated(database, streamId, CATCH_UP);
        ShapeClient big = new ShapeClient(ampere.url(), "table", "big");
        big.catchUp(CATCH_UP);
        assertShapeMatchesSelect(big, database, "big", null);
        for (ShapeClient c : clients) c.baseUrl(ampere.url());
        checkAll(clients, null, "n % 3 = 0", "title LIKE 'moved%' OR id < 100");
        System.out.println("fault suite: kill -9 during a snapshot of 60,000 rows: the new shape and 3 others "
                + "equal SELECT after restart");
    }

    @Test
    void killedDuringALargeTransaction() throws Exception {
        List<ShapeClient> clients = followThree();
        sql(database, "INSERT INTO items SELECT g, 'bulk ' || g, g FROM generate_series(100000, 150000) g");
        long commit = FaultChecks.lsn(database, "SELECT pg_current_wal_lsn()::text");
        long confirmedAtKill = FaultChecks.confirmedFlushLsn(streamId);
        ampere.kill9();
        boolean midTransaction = Long.compareUnsigned(confirmedAtKill, commit) < 0;
        churn(5);
        ampere.launch();
        checkAll(clients, null, "n % 3 = 0", "title LIKE 'moved%' OR id < 100");
        for (ShapeClient c : clients) assertEquals(0, c.refetches, "a recovered shape was refetched");
        System.out.println("fault suite: kill -9 during a transaction of 50,001 rows (acknowledged at the kill: "
                + !midTransaction + "): 3 shapes equal SELECT after restart, no refetch");
    }

    @Test
    void killedWithShapesThatFilterThroughSubSelects() throws Exception {
        sql(database, "CREATE TABLE groups (id int PRIMARY KEY, active bool)",
                "INSERT INTO groups SELECT g, g % 2 = 0 FROM generate_series(1, 60) g");
        String where = "n % 3 = 0 OR n IN (SELECT id FROM groups WHERE active)";
        ShapeClient plain = new ShapeClient(ampere.url(), "table", "items", "where", "n % 3 = 0");
        ShapeClient sub = new ShapeClient(ampere.url(), "table", "items", "where", where);
        plain.catchUp(CATCH_UP);
        sub.catchUp(CATCH_UP);
        churn(6);
        sql(database, "UPDATE groups SET active = NOT active WHERE id % 5 = 0"); // moves rows in and out
        FaultChecks.awaitReplicated(database, streamId, CATCH_UP);
        plain.catchUp(CATCH_UP);
        sub.catchUp(CATCH_UP);
        assertShapeMatchesSelect(sub, database, "items", where);
        int refetchesBefore = sub.refetches;
        ampere.kill9();
        churn(7);
        ampere.launch();
        plain.baseUrl(ampere.url());
        sub.baseUrl(ampere.url());
        churn(8);
        FaultChecks.awaitReplicated(database, streamId, CATCH_UP);
        plain.catchUp(CATCH_UP);
        sub.catchUp(CATCH_UP);
        assertShapeMatchesSelect(plain, database, "items", "n % 3 = 0");
        assertShapeMatchesSelect(sub, database, "items", where);
        assertEquals(0, plain.refetches, "a recovered shape was refetched");
        // A sub-select's values are not kept across restarts: that shape is refetched, and then equals SELECT.
        assertTrue(sub.refetches > refetchesBefore, "the shape with a sub-select was not refetched after the restart");
        System.out.println("fault suite: kill -9 with a shape filtering through a sub-select: it is refetched and"
                + " equals SELECT after restart, the plain shape is recovered");
    }
}
