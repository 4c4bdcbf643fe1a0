package dev.ampere.postgres.wal;

import dev.ampere.changes.Change;
import dev.ampere.postgres.wal.ChangeSink;
import dev.ampere.postgres.wal.KeyColumnLookup;
import dev.ampere.changes.Relation;
import dev.ampere.changes.TransactionFragment;
import dev.ampere.testing.TestDatabase;
import org.postgresql.PGConnection;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A fresh database with a publication and a pgoutput slot, and a {@link WalReader} running on its own thread
 * whose sink queues everything it receives. Tests wait on the queue (with a timeout), never by sleeping.
 */
final class ReplicationFixture implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** One complete transaction as the sink received it. */
    record Tx(List<TransactionFragment> fragments) {
        List<Change> changes() {
            List<Change> all = new ArrayList<>();
            for (TransactionFragment f : fragments) all.addAll(f.changes());
            return all;
        }

        long commitLsn() {
            return fragments.getFirst().commitLsn();
        }
    }

    final String db;
    final String slot;
    final Connection admin;
    private final Connection keyConnection;
    final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    final Path spillDir;
    volatile boolean autoDurable = true;
    private Connection replication;
    private WalReader reader;
    private Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    ReplicationFixture(String... setupSql) throws Exception {
        db = TestDatabase.createDatabase();
        slot = "slot_" + db;
        admin = TestDatabase.connect(db);
        keyConnection = TestDatabase.connect(db);
        spillDir = Files.createTempDirectory("ampere-spill-test");
        exec(setupSql);
    }

    void exec(String... sql) throws SQLException {
        try (Statement s = admin.createStatement()) {
            for (String q : sql) s.execute(q);
        }
    }

    String queryString(String sql) throws SQLException {
        try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    void createSlot() throws SQLException {
        exec("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
    }

    /** The catalog primary key, as the Inspector would give it. */
    KeyColumnLookup primaryKeys() {
        return relation -> {
            synchronized (keyConnection) {
                try (PreparedStatement ps = keyConnection.prepareStatement(
                        "SELECT a.attname FROM pg_index i, unnest(i.indkey) WITH ORDINALITY k(attnum, ord), pg_attribute a"
                                + " WHERE i.indrelid = ? AND i.indisprimary AND a.attrelid = i.indrelid"
                                + " AND a.attnum = k.attnum ORDER BY k.ord")) {
                    ps.setLong(1, Integer.toUnsignedLong(relation.id()));
                    List<String> names = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) names.add(rs.getString(1));
                    }
                    return names;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    WalReader start(WalReaderOptions options) throws SQLException {
        return start(options, new Properties());
    }

    WalReader start(WalReaderOptions options, Properties extra, String... sessionSql) throws SQLException {
        Properties p = new Properties();
        p.putAll(extra);
        replication = ReplicationConnections.open(TestDatabase.jdbcUrl(db), p);
        try (Statement s = replication.createStatement()) {
            for (String q : sessionSql) s.execute(q);
        }
        WalReader[] holder = new WalReader[1];
        ChangeSink sink = new ChangeSink() {
            @Override
            public void onRelation(Relation relation) {
                events.add(relation);
            }

            @Override
            public void onFragment(TransactionFragment fragment) {
                events.add(fragment);
                if (fragment.last() && autoDurable) holder[0].durable(fragment.commitLsn());
            }
        };
        reader = new WalReader(replication.unwrap(PGConnection.class), options.withSpillDirectory(spillDir),
                primaryKeys(), sink);
        holder[0] = reader;
        thread = Thread.ofPlatform().name("wal-reader-test").start(() -> {
            try {
                reader.run();
            } catch (Throwable t) {
                failure.set(t);
                events.add(t);
            }
        });
        return reader;
    }

    WalReaderOptions options(String publication) {
        return WalReaderOptions.of(slot, publication);
    }

    private Object poll() throws InterruptedException {
        Object o = events.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (o == null) fail("nothing received within " + TIMEOUT);
        if (o instanceof Throwable t) throw new AssertionError("reader failed", t);
        return o;
    }

    /** The next relation event, skipping nothing: fails if a fragment comes first. */
    Relation nextRelation() throws InterruptedException {
        Object o = poll();
        if (o instanceof Relation r) return r;
        throw new AssertionError("expected a relation, got " + o);
    }

    /** The next complete transaction; relation events before or inside it are skipped. */
    Tx nextTx() throws InterruptedException {
        List<TransactionFragment> fragments = new ArrayList<>();
        while (true) {
            Object o = poll();
            if (o instanceof TransactionFragment f) {
                fragments.add(f);
                if (f.last()) return new Tx(fragments);
            }
        }
    }

    /** Everything queued up to and including the next complete transaction. */
    List<Object> eventsThroughNextTx() throws InterruptedException {
        List<Object> out = new ArrayList<>();
        while (true) {
            Object o = poll();
            out.add(o);
            if (o instanceof TransactionFragment f && f.last()) return out;
        }
    }

    /** Waits (bounded) until the query returns true; for server-side state that has no event to wait on. */
    void awaitTrue(String sql) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!"t".equals(queryString(sql))) {
            if (System.nanoTime() > deadline) fail("never true: " + sql);
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
    }

    /** Interrupts the reader's thread and waits for run() to return. */
    void interruptReaderAndAwaitExit() throws InterruptedException {
        thread.interrupt();
        thread.join(TIMEOUT.toMillis());
        assertTrue(!thread.isAlive(), "reader returned after an interrupt");
    }

    WalReader reader() {
        return reader;
    }

    String confirmedFlushLsn() throws SQLException {
        return queryString("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    }

    void stopReader() throws Exception {
        if (reader != null) {
            reader.stop();
            thread.join(TIMEOUT.toMillis());
            assertTrue(!thread.isAlive(), "reader stopped");
            replication.close();
            reader = null;
        }
    }

    @Override
    public void close() throws Exception {
        stopReader();
        Throwable t = failure.get();
        keyConnection.close();
        try {
            awaitTrue("SELECT count(*) = 0 FROM pg_replication_slots WHERE slot_name = '" + slot + "' AND active");
            exec("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot
                    + "' AND database = current_database()");
        } finally {
            admin.close();
        }
        assertNotNull(db);
        if (t != null) throw new AssertionError("reader failed", t);
    }
}
