package dev.ampere.shapes;

import dev.ampere.postgres.QueryPoolView;
import dev.ampere.postgres.TableInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;

/**
 * The stack's publication (docs/protocol.md §3.5, the [H] model): a table goes in, with {@code REPLICA IDENTITY FULL}
 * so that updates and deletes carry the old row, before its first snapshot is read; a table no shape uses any more
 * comes out again, so its writes stop being decoded and shipped. Every edit of the publication is serialised across
 * instances by a transaction-scoped advisory lock, and within this one by {@link #edits}.
 *
 * <p>Additions: {@link #prepare} is called by each Snapshotter. Tables this instance has put in (or found in) the
 * publication are remembered, so a burst of shapes on one table costs one round of catalog queries, not one each.
 *
 * <p>Removals: when the ShapeCache reports a table unused ({@link #tableUnused}), a clean-up pass is scheduled after
 * {@link #DEBOUNCE}; further reports within that time join the same pass. The pass lists the publication's tables
 * and drops those the ShapeCache's in-use view does not name at that moment. That view is written by the ShapeCache
 * before a shape's processes start, and the pass chooses its victims and forgets them as published in one step
 * under this object's monitor, so a Snapshotter preparing a table the pass is dropping always takes the slow path
 * and adds it back once the drop has committed.
 *
 * <p>Place: created by the ShapeCache for its lifetime (it owns the in-use counts), handed to Snapshotters;
 * {@link #close()} stops the clean-up thread. Thread-safe: the published set under the monitor, database edits
 * under {@link #edits}, clean-up passes on one scheduler thread.
 */
public final class PublicationSetup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PublicationSetup.class);
    /** How long removals wait for more tables to fall out of use, and for a new shape to take one back. */
    public static final Duration DEBOUNCE = Duration.ofSeconds(1);

    private final QueryPoolView pool;
    private final String publication;
    private final IntPredicate inUse;
    private final Duration debounce;
    private final ReentrantLock edits = new ReentrantLock(true);
    private final Set<Integer> published = new HashSet<>();
    private final ScheduledExecutorService cleaner = Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("publication-cleanup").factory());
    private boolean passScheduled;

    /**
     * @param inUse whether some shape of the stack uses the table with this oid right now (the ShapeCache's view)
     */
    public PublicationSetup(QueryPoolView pool, String publication, IntPredicate inUse, Duration debounce) {
        this.pool = pool;
        this.publication = publication;
        this.inUse = inUse;
        this.debounce = debounce;
    }

    /** Puts the table in the publication with REPLICA IDENTITY FULL, unless this instance knows it is there. */
    void prepare(DataSource ds, TableInfo table) throws SQLException {
        if (isPublished(table.oid())) return;
        edits.lock();
        try {
            if (isPublished(table.oid())) return;
            add(ds, table);
            synchronized (this) {
                published.add(table.oid());
            }
        } finally {
            edits.unlock();
        }
    }

    /** From the ShapeCache: the last shape of this table is gone; a clean-up pass follows after the debounce. */
    public synchronized void tableUnused() {
        if (passScheduled) return;
        passScheduled = true;
        try {
            cleaner.schedule(this::cleanUp, debounce.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            passScheduled = false; // closed: the next ShapeCache sweeps at its start
        }
    }

    private synchronized boolean isPublished(int oid) {
        return published.contains(oid);
    }

    private void cleanUp() {
        synchronized (this) {
            passScheduled = false;
        }
        edits.lock();
        try {
            removeUnused(pool.require());
        } catch (Exception e) {
            log.warn("removing unused tables from publication {} failed: {}", publication, e.getMessage());
        } finally {
            edits.unlock();
        }
    }

    private record Listed(int oid, String quotedName) {}

    private void removeUnused(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                lock(s);
                List<Listed> drop = new ArrayList<>();
                List<Listed> listed = list(c);
                synchronized (this) {
                    for (Listed t : listed) {
                        if (!inUse.test(t.oid())) {
                            drop.add(t);
                            published.remove(t.oid());
                        }
                    }
                }
                if (!drop.isEmpty()) {
                    s.execute("ALTER PUBLICATION " + TableInfo.quoteIdent(publication) + " DROP TABLE "
                            + String.join(", ", drop.stream().map(Listed::quotedName).toList()));
                }
                c.commit();
                if (!drop.isEmpty()) {
                    log.info("removed {} from publication {}: no shape uses them",
                            drop.stream().map(Listed::quotedName).toList(), publication);
                }
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private List<Listed> list(Connection c) throws SQLException {
        List<Listed> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT c.oid, n.nspname, c.relname FROM pg_publication p"
                + " JOIN pg_publication_rel pr ON pr.prpubid = p.oid JOIN pg_class c ON c.oid = pr.prrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Listed((int) rs.getLong(1),
                            TableInfo.quoteIdent(rs.getString(2)) + "." + TableInfo.quoteIdent(rs.getString(3))));
                }
            }
        }
        return out;
    }

    private void lock(Statement s) throws SQLException {
        // ALTER waits for a lock on the table: a long transaction on it must fail the edit (the client retries, the
        // next pass tries again) rather than hold it, and the shape's buffered changes, indefinitely.
        s.execute("SET LOCAL lock_timeout = '10s'");
        s.execute("SELECT pg_advisory_xact_lock(hashtext('" + publication.replace("'", "''") + "'))");
    }

    private void add(DataSource ds, TableInfo table) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                lock(s);
                if (!published(c, table)) {
                    s.execute("ALTER PUBLICATION " + TableInfo.quoteIdent(publication) + " ADD TABLE " + table.quotedName());
                }
                if (replicaIdentity(c, table) != 'f') {
                    s.execute("ALTER TABLE " + table.quotedName() + " REPLICA IDENTITY FULL");
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private boolean published(Connection c, TableInfo table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM pg_publication_tables WHERE pubname = ? AND schemaname = ? AND tablename = ?")) {
            ps.setString(1, publication);
            ps.setString(2, table.schema());
            ps.setString(3, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static char replicaIdentity(Connection c, TableInfo table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT relreplident FROM pg_class WHERE oid = ?")) {
            ps.setLong(1, table.oid() & 0xFFFFFFFFL);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new SQLException("table " + table.quotedName() + " no longer exists", "42P01");
                return rs.getString(1).charAt(0);
            }
        }
    }

    @Override
    public void close() {
        cleaner.shutdownNow();
    }
}
