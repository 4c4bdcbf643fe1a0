package dev.ampere.bench.e2e;

import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The limit each end-to-end figure is set beside: a pgjdbc logical replication stream on its own slot and
 * publication (pgoutput, all tables), read with blocking {@code read()} on a platform thread. It timestamps each
 * decoded Commit and tells the current {@link PgOutputInserts.Listener}, so the same writes give write → decoded
 * commit latencies in the same run. It acknowledges every commit, so the slot holds no WAL back.
 */
final class ReplicationBaseline implements AutoCloseable {
    static final String SLOT = "bench_baseline_slot";
    static final String PUBLICATION = "bench_baseline_pub";

    private final Database db;
    private final Connection connection;
    private final PGReplicationStream stream;
    private final Thread reader;
    private volatile PgOutputInserts.Listener listener;
    private volatile boolean stopping;
    private volatile Throwable failure;

    private ReplicationBaseline(Database db, Connection connection, PGReplicationStream stream) {
        this.db = db;
        this.connection = connection;
        this.stream = stream;
        this.reader = Thread.ofPlatform().name("baseline-stream").daemon().unstarted(this::read);
    }

    static ReplicationBaseline start(Database db) throws SQLException {
        db.execute("CREATE PUBLICATION " + PUBLICATION + " FOR ALL TABLES");
        Properties p = Database.credentials();
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        Connection c = DriverManager.getConnection(db.jdbcUrl(), p);
        try {
            PGConnection pg = c.unwrap(PGConnection.class);
            pg.getReplicationAPI().createReplicationSlot().logical().withSlotName(SLOT).withOutputPlugin("pgoutput")
                    .make();
            PGReplicationStream stream = pg.getReplicationAPI().replicationStream().logical().withSlotName(SLOT)
                    .withSlotOption("proto_version", "1").withSlotOption("publication_names", PUBLICATION)
                    .withStatusInterval(1, TimeUnit.SECONDS).start();
            ReplicationBaseline b = new ReplicationBaseline(db, c, stream);
            b.reader.start();
            return b;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The listener for the commits decoded from now on (null: none). */
    void listen(PgOutputInserts.Listener l) {
        listener = l;
    }

    private void read() {
        PgOutputInserts decoder = new PgOutputInserts();
        try {
            while (!stopping) {
                ByteBuffer msg = stream.read();
                long now = System.nanoTime();
                if (msg == null) continue;
                boolean commit = msg.get(msg.position()) == 'C';
                decoder.accept(msg, now, listener);
                if (commit) {
                    stream.setAppliedLSN(stream.getLastReceiveLSN());
                    stream.setFlushedLSN(stream.getLastReceiveLSN());
                }
            }
        } catch (Throwable t) {
            if (!stopping) failure = t;
        }
    }

    /** Fails when the stream broke: a baseline that silently stopped would make every ratio meaningless. */
    void check() {
        if (failure != null) throw new IllegalStateException("the baseline replication stream failed", failure);
    }

    @Override
    public void close() throws Exception {
        stopping = true;
        try {
            connection.close();
        } finally {
            reader.join(5_000);
            try {
                db.execute("SELECT pg_drop_replication_slot('" + SLOT + "')");
            } catch (SQLException e) {
                // the database is going away with the run anyway
            }
        }
    }
}
