package dev.ampere.connection;

import dev.ampere.Ampere;
import dev.ampere.config.Config;
import dev.ampere.postgres.EmbeddedPostgresServer;
import dev.ampere.stack.StackEvent;
import dev.ampere.stack.StackStatus;
import dev.ampere.testing.EventLog;
import dev.ampere.testing.TestConfig;
import dev.ampere.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The top of the tree on a real Postgres: lock, replication connection, pool, timeline, readiness, recovery. */
class ConnectionManagerIntegrationTest {
    @TempDir
    Path storage;
    private String database;
    private String streamId;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void createDatabase() throws Exception {
        database = TestDatabase.createDatabase();
        streamId = TestConfig.newStreamId();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : closeables.reversed()) c.close();
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'electric_slot_"
                    + streamId + "' AND NOT active");
        }
    }

    private Config config(String... env) {
        return TestConfig.config(TestDatabase.databaseUrl(database), streamId, storage, env);
    }

    private Ampere start(Config config) {
        Ampere a = Ampere.start(config);
        closeables.add(a);
        return a;
    }

    private EventLog events(Ampere a) {
        EventLog log = new EventLog(a.stack().events());
        closeables.add(log);
        return log;
    }

    private static String one(String db, String sql) throws Exception {
        try (Connection c = TestDatabase.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void comesUpWithLockSlotPublicationPoolAndTimeline() throws Exception {
        Ampere a = Ampere.start(config());
        closeables.add(a);
        // Events published before we subscribed are not replayed, so readiness is checked through the status too.
        EventLog log = events(a);
        if (a.stack().events().status() != StackStatus.ACTIVE) log.await(StackEvent.Ready.class, 30);
        assertEquals(StackStatus.ACTIVE, a.stack().events().status());
        assertTrue(a.queryPool().current().isPresent());

        assertEquals("electric_slot_" + streamId,
                one(database, "SELECT slot_name FROM pg_replication_slots WHERE plugin = 'pgoutput' AND slot_name = 'electric_slot_" + streamId + "'"));
        assertEquals("electric_publication_" + streamId,
                one(database, "SELECT pubname FROM pg_publication WHERE pubname = 'electric_publication_" + streamId + "'"));
        assertEquals("t", one(database, "SELECT granted FROM pg_locks WHERE locktype = 'advisory' AND objid::int4 = hashtext('electric_slot_" + streamId + "')"));
        assertTrue(Files.readString(storage.resolve("state/timeline_id_single_stack")).matches("\\[\"\\d+\",1]"));
    }

    @Test
    void aSecondInstanceWaitsForTheLockAndTakesOver() throws Exception {
        Ampere first = start(config());
        EventLog firstLog = events(first);
        if (first.stack().events().status() != StackStatus.ACTIVE) firstLog.await(StackEvent.Ready.class, 30);

        Ampere second = Ampere.start(config());
        EventLog secondLog = new EventLog(second.stack().events());
        closeables.add(second);
        closeables.add(secondLog);
        // The second one connects and waits: its lock request shows up as an ungranted advisory lock.
        waitForUngrantedLock();
        assertEquals(StackStatus.WAITING, second.stack().events().status());

        first.close();
        secondLog.await(StackEvent.LockAcquired.class, 30);
        secondLog.await(StackEvent.Ready.class, 30);
        assertEquals(StackStatus.ACTIVE, second.stack().events().status());
    }

    private void waitForUngrantedLock() throws Exception {
        // Polls the catalog for the blocked lock request: the only observable sign of a session waiting in Postgres.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (one(database, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").equals("0")) {
            assertTrue(System.nanoTime() < deadline, "the second instance never waited for the lock");
            Thread.sleep(20);
        }
    }

    @Test
    void survivesTheReplicationBackendBeingTerminatedAndKeepsTheSlot() throws Exception {
        Ampere a = start(config());
        EventLog log = events(a);
        if (a.stack().events().status() != StackStatus.ACTIVE) log.await(StackEvent.Ready.class, 30);
        log.await(StackEvent.Replicating.class, 30);
        String pid = one(database, "SELECT pid FROM pg_stat_activity WHERE backend_type = 'walsender' AND datname = '" + database + "'");
        assertNotNull(pid);
        assertEquals("t", one(database, "SELECT pg_terminate_backend(" + pid + ")"));

        StackEvent.ConnectionLost lost = log.await(StackEvent.ConnectionLost.class, 30);
        assertEquals("replication connection", lost.what());
        StackEvent.ReplicationConnected again = log.await(StackEvent.ReplicationConnected.class, 30);
        assertFalse(again.slotCreated(), "the slot survived and was reused");
        log.await(StackEvent.Replicating.class, 30);
        assertEquals(StackStatus.ACTIVE, a.stack().events().status());
    }

    @Test
    void losingTheLockConnectionRestartsTheTree() throws Exception {
        Ampere a = start(config());
        EventLog log = events(a);
        if (a.stack().events().status() != StackStatus.ACTIVE) log.await(StackEvent.Ready.class, 30);
        String pid = one(database, "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid::int4 = hashtext('electric_slot_" + streamId + "')");
        one(database, "SELECT pg_terminate_backend(" + pid + ")");

        StackEvent.ConnectionLost lost = log.await(StackEvent.ConnectionLost.class, 30);
        assertEquals("lock connection", lost.what());
        log.await(StackEvent.WaitingForLock.class, 30);
        log.await(StackEvent.LockAcquired.class, 30);
        log.await(StackEvent.Ready.class, 30);
        assertEquals(StackStatus.ACTIVE, a.stack().events().status());
    }

    @Test
    void wrongPasswordIsOneFatalMessage() throws Exception {
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ampere_pw') THEN "
                    + "CREATE ROLE ampere_pw LOGIN REPLICATION PASSWORD 'right'; END IF; END $$");
        }
        // The embedded server trusts local connections, so authentication is forced through a role without login.
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ampere_nologin') THEN "
                    + "CREATE ROLE ampere_nologin NOLOGIN; END IF; END $$");
        }
        String url = "postgresql://ampere_nologin:wrong@localhost:" + TestDatabase.server().port() + "/" + database + "?sslmode=disable";
        Ampere a = Ampere.start(TestConfig.config(url, streamId, storage));
        closeables.add(a);
        EventLog log = events(a);
        if (a.stack().events().fatal().isEmpty()) log.await(StackEvent.Fatal.class, 30);
        String message = a.stack().events().fatal().orElseThrow();
        assertTrue(message.contains("not permitted to log in"), message);
        assertEquals(StackStatus.WAITING, a.stack().events().status());
    }

    @Test
    void unreachableDatabaseIsRetriedWithBackoff() throws Exception {
        String url = "postgresql://postgres@localhost:1/" + database + "?sslmode=disable";
        Ampere a = Ampere.start(TestConfig.config(url, streamId, storage));
        closeables.add(a);
        EventLog log = events(a);
        StackEvent.ConnectionFailed first = log.await(StackEvent.ConnectionFailed.class, 30);
        StackEvent.ConnectionFailed second = log.await(StackEvent.ConnectionFailed.class, 30);
        assertEquals(first.purpose(), second.purpose());
        assertTrue(second.retryIn().compareTo(first.retryIn()) > 0, first.retryIn() + " then " + second.retryIn());
        assertTrue(first.message().contains("localhost:1"), first.message());
        assertEquals(StackStatus.WAITING, a.stack().events().status());
        assertTrue(a.stack().events().fatal().isEmpty());
    }

    @Test
    void walLevelOtherThanLogicalIsFatal() throws Exception {
        try (EmbeddedPostgresServer replicaLevel = EmbeddedPostgresServer.start(null, 0, "replica")) {
            String url = "postgresql://postgres@localhost:" + replicaLevel.port() + "/postgres?sslmode=disable";
            Ampere a = Ampere.start(TestConfig.config(url, streamId, storage));
            EventLog log = new EventLog(a.stack().events());
            try {
                if (a.stack().events().fatal().isEmpty()) log.await(StackEvent.Fatal.class, 30);
                assertTrue(a.stack().events().fatal().orElseThrow().contains("wal_level=replica"));
            } finally {
                log.close();
                a.close();
            }
        }
    }
}
