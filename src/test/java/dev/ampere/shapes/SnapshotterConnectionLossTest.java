package dev.ampere.shapes;

import com.zaxxer.hikari.HikariDataSource;
import dev.ampere.changes.LogOffset;
import dev.ampere.config.DatabaseUrl;
import dev.ampere.connection.QueryPool;
import dev.ampere.postgres.QueryPoolSlot;
import dev.ampere.postgres.TableInfo;
import dev.ampere.process.ExitReason;
import dev.ampere.process.ProcessRef;
import dev.ampere.process.Processes;
import dev.ampere.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.ampere.shapes.ShapeDefinition.Replica.DEFAULT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Snapshotter against a real Postgres whose connection is lost right after the snapshot was read whole, before
 * its read-only transaction is committed (what a crash of Postgres just after a shape's creation does): the shape's
 * snapshot has not failed, so the consumer hears no {@link Consumer.SnapshotFailed} and the shape lives on (see
 * docs/architecture.md, Reconnects). The connection is cut with {@code pg_terminate_backend}, waiting until the
 * backend is gone, from inside the storage's append of the snapshot-end message, which the snapshotter writes on
 * its own thread once the COPY has ended and before it commits: no timing is involved.
 */
class SnapshotterConnectionLossTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static final String PUBLICATION = "snapshotter_test";

    private String database;
    private HikariDataSource pool;
    private final BlockingQueue<Object> toConsumer = new LinkedBlockingQueue<>();
    private ProcessRef consumer;

    @BeforeEach
    void setUp() throws Exception {
        database = TestDatabase.createDatabase();
        try (Connection c = TestDatabase.connect(database); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id int4 PRIMARY KEY, title text, n int4, body text)");
            s.execute("INSERT INTO items SELECT g, 'item ' || g, g, NULL FROM generate_series(1, 50) g");
            s.execute("CREATE PUBLICATION " + PUBLICATION);
        }
        pool = QueryPool.open(DatabaseUrl.parse("DATABASE_URL", TestDatabase.databaseUrl(database)), 2, "snapshotter-test");
        consumer = Processes.spawn("stand-in consumer", ctx -> {
            while (true) toConsumer.add(ctx.receive());
        });
    }

    @AfterEach
    void tearDown() {
        if (consumer != null) consumer.stopUninterruptibly(T);
        if (pool != null) pool.close();
    }

    @Test
    void aConnectionLostAfterTheSnapshotIsStoredDoesNotFailTheShape() throws Exception {
        AtomicInteger terminated = new AtomicInteger();
        InMemorySignalStorage storage = InMemorySignalStorage.recordingSnapshotWithRowHook("h-1", 51,
                () -> terminated.addAndGet(terminateSnapshotBackends()));
        ShapeState state = new ShapeState("h-1", ShapeFixtures.shape(items(), null, null, DEFAULT), storage,
                LogOffset.LAST_BEFORE_REAL_OFFSETS, ShapeState.Snapshot.PENDING);
        QueryPoolSlot view = new QueryPoolSlot(2);
        view.publish(pool);
        try (PublicationSetup publications = new PublicationSetup(view, PUBLICATION, oid -> true, Duration.ofSeconds(1))) {
            ProcessRef snapshotter = Processes.spawn("snapshotter", new Snapshotter(state, consumer, view, publications));
            assertEquals(ExitReason.NORMAL, snapshotter.awaitExit(T).orElseThrow());
        }

        assertEquals(1, terminated.get(), "the snapshot's backend, idle in its transaction, was terminated");
        assertEquals(51, storage.snapshotRows(), "50 rows and the snapshot-end message");
        List<Object> messages = messagesToConsumer();
        assertTrue(messages.getFirst() instanceof Consumer.SnapshotStarted, messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m instanceof Consumer.SnapshotReady), messages.toString());
        assertFalse(messages.stream().anyMatch(m -> m instanceof Consumer.SnapshotFailed),
                "a stored snapshot failed because its transaction could not be committed: " + messages);
    }

    /** The table as the catalog has it (its real oid: the publication set-up looks it up). */
    private TableInfo items() throws Exception {
        try (Connection c = TestDatabase.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 'public.items'::regclass::oid::int8")) {
            rs.next();
            return ShapeFixtures.table("public", "items", (int) rs.getLong(1), List.of("id"),
                    "id:int4", "title:text", "n:int4", "body:text");
        }
    }

    /** Terminates the backends idle in a transaction in the test's database, each waited for until it is gone. */
    private int terminateSnapshotBackends() {
        try (Connection c = TestDatabase.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
                     + " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                     + " AND state = 'idle in transaction'")) {
            int n = 0;
            while (rs.next()) {
                assertTrue(rs.getBoolean(1), "a backend did not end within 10 s");
                n++;
            }
            return n;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Everything the snapshotter sent, which exited before this is called, in order. */
    private List<Object> messagesToConsumer() throws InterruptedException {
        Object end = new Object();
        consumer.send(end);
        List<Object> out = new ArrayList<>();
        while (true) {
            Object m = toConsumer.poll(T.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(m, "the stand-in consumer did not pass the messages on");
            if (m == end) return out;
            out.add(m);
        }
    }
}
