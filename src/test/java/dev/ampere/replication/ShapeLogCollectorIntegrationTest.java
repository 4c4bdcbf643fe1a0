package dev.ampere.replication;

import dev.ampere.shapes.ChangeFeed;
import dev.ampere.shapes.ConsumerMessages;
import dev.ampere.shapes.ShapeSubscription;

import dev.ampere.changes.Change;
import dev.ampere.changes.TransactionFragment;

import dev.ampere.Ampere;
import dev.ampere.changes.Lsn;
import dev.ampere.process.Call;
import dev.ampere.process.ProcessRef;
import dev.ampere.process.Processes;
import dev.ampere.stack.Names;
import dev.ampere.stack.StackEvent;
import dev.ampere.stack.StackStatus;
import dev.ampere.testing.EventLog;
import dev.ampere.testing.TestConfig;
import dev.ampere.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The collector on a real stack and a real slot: it routes by table to a consumer, and the slot's
 * {@code confirmed_flush_lsn} never passes a transaction the consumer has not reported durable.
 */
class ShapeLogCollectorIntegrationTest {
    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path storage;
    private String db;
    private String streamId;
    private Ampere ampere;
    private Connection sql;
    private final BlockingQueue<Object> delivered = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        db = TestDatabase.createDatabase();
        streamId = TestConfig.newStreamId();
        sql = TestDatabase.connect(db);
        exec("CREATE TABLE items (id int PRIMARY KEY, title text)", "ALTER TABLE items REPLICA IDENTITY FULL",
                "CREATE TABLE other (id int PRIMARY KEY)");
        ampere = Ampere.start(TestConfig.config(TestDatabase.databaseUrl(db), streamId, storage));
        try (EventLog log = new EventLog(ampere.stack().events())) {
            if (ampere.stack().events().status() != StackStatus.ACTIVE) log.await(StackEvent.Ready.class, 30);
        }
        exec("ALTER PUBLICATION electric_publication_" + streamId + " ADD TABLE items, other");
    }

    @AfterEach
    void stop() throws Exception {
        ampere.close();
        sql.close();
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'electric_slot_" + streamId + "' AND NOT active");
        }
    }

    private void exec(String... statements) throws Exception {
        try (Statement s = sql.createStatement()) {
            for (String q : statements) s.execute(q);
        }
    }

    private Lsn confirmedFlush() throws Exception {
        try (Statement s = sql.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'electric_slot_" + streamId + "'")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    private Lsn currentWal() throws Exception {
        try (Statement s = sql.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    /** Polls the slot (an external observable) until its confirmed position reaches {@code target}. */
    private void awaitConfirmedAtLeast(Lsn target) throws Exception {
        long deadline = System.nanoTime() + T.toNanos();
        while (confirmedFlush().compareTo(target) < 0) {
            assertTrue(System.nanoTime() < deadline, "slot stuck at " + confirmedFlush() + ", wanted " + target);
            Thread.sleep(20);
        }
    }

    /** The next fragment delivered, skipping relation messages (Postgres re-sends those whenever it likes). */
    private TransactionFragment nextFragment() throws InterruptedException {
        while (true) {
            Object m = delivered.poll(30, TimeUnit.SECONDS);
            assertNotNull(m, "no fragment delivered");
            if (m instanceof TransactionFragment f) return f;
            assertInstanceOf(ConsumerMessages.RelationChanged.class, m);
        }
    }

    /** A consumer that records what it is given and reports a flush only when told to. */
    private ProcessRef consumer(String handle, ProcessRef collector) {
        return Processes.spawn("test_consumer", ctx -> {
            long lastCommit = 0;
            while (true) {
                Object m = ctx.receive();
                switch (m) {
                    case ConsumerMessages.Deliver d -> {
                        delivered.add(d.fragment());
                        if (d.fragment().last()) lastCommit = d.fragment().commitLsn();
                    }
                    case Call c when c.request().equals("flush") -> {
                        collector.send(new ShapeLogCollector.Flushed(List.of(new ChangeFeed.Durable(handle, lastCommit))));
                        c.reply(lastCommit);
                    }
                    case Call c when c.request().equals("exit") -> {
                        c.reply(true);
                        return;
                    }
                    default -> delivered.add(m);
                }
            }
        });
    }

    @Test
    void routesByTableAndAcknowledgesOnlyWhatTheShapeStored() throws Exception {
        ProcessRef collector = ampere.stack().registry().whereis(Names.SHAPE_LOG_COLLECTOR).orElseThrow();
        ProcessRef consumer = consumer("h1", collector);
        ShapeLogCollector.feed(ampere.stack().registry(), Names.SHAPE_LOG_COLLECTOR, Names.SHAPE_FLUSHER).subscribe(new ShapeSubscription("h1", items(), null, consumer));

        exec("INSERT INTO other VALUES (1)");          // nobody watches: the slot moves past it
        awaitConfirmedAtLeast(currentWal());

        exec("INSERT INTO items VALUES (1, 'a/b')");
        TransactionFragment f = nextFragment();
        assertTrue(f.first() && f.last());
        Change.Insert insert = assertInstanceOf(Change.Insert.class, f.changes().getFirst());
        assertEquals("\"public\".\"items\"/\"1\"", insert.key());
        assertEquals("a/b", insert.record().value("title"));
        Lsn itemsCommit = new Lsn(f.commitLsn());

        exec("INSERT INTO other VALUES (2)");          // after the unflushed items transaction: must wait for it
        Lsn afterOther = currentWal();
        // Give the reader every chance to acknowledge wrongly: it reports status on its own timer and on idle.
        exec("SELECT pg_sleep(0.5)");
        assertTrue(confirmedFlush().compareTo(itemsCommit) < 0,
                "acknowledged " + confirmedFlush() + " before the shape stored " + itemsCommit);
        assertTrue(delivered.stream().noneMatch(m -> m instanceof TransactionFragment), "the consumer only sees its own table");

        assertEquals(f.commitLsn(), (long) consumer.<Long>call("flush", T));
        awaitConfirmedAtLeast(afterOther);

        consumer.call("exit", T);
        consumer.awaitExit(T);
        assertEquals(0, ShapeLogCollector.shapeCount(collector));
    }

    @Test
    void aStalledShapeDoesNotLetWalSenderTimeoutCutTheConnection() throws Exception {
        ProcessRef collector = ampere.stack().registry().whereis(Names.SHAPE_LOG_COLLECTOR).orElseThrow();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger fragments = new java.util.concurrent.atomic.AtomicInteger();
        // A consumer that stops reading its mailbox until released: the collector, then the reader, must wait.
        ProcessRef stalled = Processes.spawn("stalled_consumer", dev.ampere.process.Mailbox.bounded(4), ctx -> {
            release.await();
            long last = 0;
            while (true) {
                Object m = ctx.receive(Duration.ofMillis(200));
                if (m instanceof ConsumerMessages.Deliver d) {
                    fragments.incrementAndGet();
                    if (d.fragment().last()) last = d.fragment().commitLsn();
                } else if (m == null && last != 0) {
                    collector.send(new ShapeLogCollector.Flushed(List.of(new ChangeFeed.Durable("stalled", last))));
                }
            }
        });
        ShapeLogCollector.feed(ampere.stack().registry(), Names.SHAPE_LOG_COLLECTOR, Names.SHAPE_FLUSHER).subscribe(new ShapeSubscription("stalled", items(), null, stalled));
        String pidBefore = walSenderPid();
        try (EventLog log = new EventLog(ampere.stack().events()); Statement s = TestDatabase.connect().createStatement()) {
            s.execute("ALTER SYSTEM SET wal_sender_timeout = '3s'");
            s.execute("SELECT pg_reload_conf()");
            try {
                for (int i = 100; i < 160; i++) exec("INSERT INTO items VALUES (" + i + ", 'x')");
                // Longer than wal_sender_timeout, while every buffer between Postgres and the shape is full.
                exec("SELECT pg_sleep(7)");
                assertEquals(pidBefore, walSenderPid(), "the walsender was replaced: the connection timed out");
                assertTrue(log.all().stream().noneMatch(e -> e instanceof StackEvent.ConnectionLost), log.all().toString());
            } finally {
                s.execute("ALTER SYSTEM RESET wal_sender_timeout");
                s.execute("SELECT pg_reload_conf()");
            }
        }
        release.countDown();
        long deadline = System.nanoTime() + T.toNanos();
        while (fragments.get() < 60) {
            assertTrue(System.nanoTime() < deadline, "only " + fragments.get() + " of 60 transactions arrived");
            Thread.sleep(20);
        }
        stalled.stop(T);
    }

    private dev.ampere.postgres.TableInfo items() throws Exception {
        return ampere.tables().lookup(new dev.ampere.postgres.RelationName("public", "items"), T).orElseThrow();
    }

    private String walSenderPid() throws Exception {
        try (Statement s = sql.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT pid FROM pg_stat_activity WHERE backend_type = 'walsender' AND datname = '" + db + "'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void relationChangesAndTruncatesReachTheShapesOfTheTable() throws Exception {
        ProcessRef collector = ampere.stack().registry().whereis(Names.SHAPE_LOG_COLLECTOR).orElseThrow();
        ProcessRef consumer = consumer("h2", collector);
        ShapeLogCollector.feed(ampere.stack().registry(), Names.SHAPE_LOG_COLLECTOR, Names.SHAPE_FLUSHER).subscribe(new ShapeSubscription("h2", items(), null, consumer));
        exec("INSERT INTO items VALUES (1, 'x')");
        assertInstanceOf(ConsumerMessages.RelationChanged.class, delivered.poll(30, TimeUnit.SECONDS));
        assertInstanceOf(TransactionFragment.class, delivered.poll(30, TimeUnit.SECONDS));

        exec("ALTER TABLE items ADD COLUMN extra int", "INSERT INTO items VALUES (2, 'y', 3)");
        var relation = assertInstanceOf(ConsumerMessages.RelationChanged.class, delivered.poll(30, TimeUnit.SECONDS));
        assertTrue(relation.relation().columnNames().contains("extra"));
        assertInstanceOf(TransactionFragment.class, delivered.poll(30, TimeUnit.SECONDS));

        exec("TRUNCATE items");
        TransactionFragment t = nextFragment();
        assertInstanceOf(Change.Truncate.class, t.changes().getFirst());
        consumer.call("exit", T);
    }
}
