package dev.ampere.shapes;

import dev.ampere.postgres.QueryPoolView;
import dev.ampere.postgres.TableInfo;
import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessContext;
import dev.ampere.process.ProcessRef;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.SnapshotInfo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOut;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a new shape's initial rows (docs/protocol.md §3.6).
 *
 * <p>Place in the tree: an owned process of the shape's {@link Consumer} ({@code OwnedProcesses}, forked in a scope
 * of the consumer's run, itself forked by the DynamicConsumerSupervisor); it exits when the snapshot is stored, and
 * is stopped if the consumer exits first. The consumer monitors it: a failure it reports, or a crash, ends the
 * shape with its {@link SnapshotFailure}. It owns one snapshot slot of the pool ({@link QueryPoolView#snapshotSlot()},
 * taken before any connection, so snapshots queue for the pool instead of failing) and one pooled connection at a
 * time; it writes the shape's snapshot region in
 * storage (the storage contract's snapshot writer) and tells the consumer how far it got, never touching the
 * shape's state itself.
 *
 * <p>Order: the table goes into the publication with REPLICA IDENTITY FULL first; then a
 * {@code REPEATABLE READ READ ONLY} transaction takes {@code pg_current_snapshot()}, which goes to the consumer
 * (so it can drop stream transactions the snapshot contains); then the rows stream as {@code COPY ... TO STDOUT}
 * in that transaction, read on this thread and encoded once each on helper threads ({@link SnapshotPipeline}).
 * When the first row is stored, or the query is known to return none, the consumer hears
 * {@link Consumer.SnapshotReady}: only then may a response for the snapshot commit its status. The snapshot ends with
 * the {@code snapshot-end} control message. A failure goes to the consumer, sorted ({@link SnapshotFailure}).
 *
 * <p>Threading: a process; its connection is confined to its thread. While rows stream, the storage's snapshot writer
 * is the pipeline's writer thread; the pipeline has ended before this thread writes {@code snapshot-end}.
 */
public final class Snapshotter implements ProcessBody {
    private static final Logger log = LoggerFactory.getLogger(Snapshotter.class);
    /** A snapshot that takes longer than this is logged at INFO when done. */
    private static final long SLOW_NANOS = 5_000_000_000L;
    /** Encoder threads a large snapshot may use (a small one uses one). */
    private static final int ENCODERS = Math.min(4, Runtime.getRuntime().availableProcessors());

    private final ShapeState state;
    private final ProcessRef consumer;
    private final QueryPoolView pool;
    private final PublicationSetup publications;
    private final ShapeMetrics metrics;
    /** Where a shape with sub-selects narrows its routing once their values are read; null: it stays broad. */
    private final ChangeFeed feed;

    public Snapshotter(ShapeState state, ProcessRef consumer, QueryPoolView pool, PublicationSetup publications) {
        this(state, consumer, pool, publications, ShapeMetrics.NONE, null);
    }

    public Snapshotter(ShapeState state, ProcessRef consumer, QueryPoolView pool, PublicationSetup publications,
                       ShapeMetrics metrics, ChangeFeed feed) {
        this.metrics = metrics;
        this.feed = feed;
        this.state = state;
        this.consumer = consumer;
        this.pool = pool;
        this.publications = publications;
    }

    @Override
    public void run(ProcessContext ctx) {
        ctx.started();
        MDC.put(Consumer.SHAPE_HANDLE, state.handle());
        long started = System.nanoTime();
        ShapeDefinition d = state.definition();
        ShapeStorage storage = state.storage();
        SnapshotInfo info;
        long rows = 0;
        try {
            // The slot first: a burst of new shapes queues here, in arrival order, rather than timing out in the pool.
            try (QueryPoolView.SnapshotSlot _ = pool.snapshotSlot()) {
                DataSource ds = pool.require();
                for (TableInfo t : d.tables()) publications.prepare(ds, t);
                Connection c = ds.getConnection();
                boolean ended = false;
                try {
                    info = beginSnapshot(c);
                    // A sub-select's values are read in the same transaction, so they are those the rows' query sees.
                    SubqueryValueSets values = d.hasSubqueries() ? readValues(c, d) : null;
                    // Routing narrowed to those values is exact for as long as they stay; the first change of them
                    // ends the shape (SubqueryJudge), so whatever the narrowed routing then misses no longer matters.
                    // Until it is in place, the broad routing clause admits a superset.
                    if (values != null && feed != null) narrowRouting(d, values);
                    consumer.send(new Consumer.SnapshotStarted(info, values));
                    if (d.log() == ShapeDefinition.LogMode.FULL) rows = streamRows(c, d, storage);
                    else consumer.send(new Consumer.SnapshotReady());
                    storage.appendSnapshotRow(LogItemEncoder.snapshotEnd(info.xmin(), info.xmax(), info.xipList()));
                    endTransaction(c);
                    ended = true;
                } finally {
                    release(c, ended);
                }
            }
            // The connection and the slot are back before the snapshot is made durable: its fsyncs (four per shape,
            // tens of milliseconds on a busy disk) are no database work, and holding the pool through them is what
            // limited a burst of new shapes. Readers do not wait for them either (SnapshotChunks publishes first).
            storage.completeSnapshot(info);
        } catch (Exception e) {
            if (!ctx.stopRequested()) {
                metrics.snapshotFailed();
                consumer.send(new Consumer.SnapshotFailed(SnapshotFailure.of(e)));
            }
            return;
        }
        long took = System.nanoTime() - started;
        metrics.snapshotStored(rows, took);
        // Long snapshots are worth an operator's attention; the others are there when debugging.
        (took > SLOW_NANOS ? log.atInfo() : log.atDebug())
                .log("snapshot of {} for shape {} done: {} rows in {} ms", d.table().quotedName(),
                        state.handle(), rows, took / 1_000_000);
    }

    /**
     * Ends the read-only transaction once every row is read. A failure here (the database crashed or the
     * connection dropped right after) changes nothing the snapshot read, so it does not fail the shape; a lost
     * database suspends and recovers it like any other (docs/architecture.md, Reconnects).
     */
    private void endTransaction(Connection c) {
        try (Statement s = c.createStatement()) {
            s.execute("COMMIT");
        } catch (SQLException e) {
            log.debug("ending the transaction of the snapshot of shape {} failed: {}", state.handle(), e.toString());
        }
    }

    /**
     * Back to the pool as it came (autocommit, the pool's isolation): the transaction was opened and ended with SQL,
     * so the pool has no session setting to reset. A transaction left open by a failure is rolled back first; a
     * connection that cannot even do that is closed for good.
     */
    private void release(Connection c, boolean ended) {
        if (!ended) {
            try (Statement s = c.createStatement()) {
                s.execute("ROLLBACK");
            } catch (SQLException e) {
                try {
                    c.abort(Runnable::run);
                } catch (SQLException ignored) {
                    // already broken: the pool drops it
                }
            }
        }
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("closing the snapshot connection of shape {} failed: {}", state.handle(), e.toString());
        }
    }

    /** Parses {@code pg_current_snapshot()}'s text form {@code xmin:xmax:xip,xip,...}. */
    static SnapshotInfo parseSnapshot(String text) {
        String[] parts = text.split(":", -1);
        long xmin = Long.parseUnsignedLong(parts[0]);
        long xmax = Long.parseUnsignedLong(parts[1]);
        long[] xip = parts.length < 3 || parts[2].isEmpty() ? new long[0]
                : Arrays.stream(parts[2].split(",")).mapToLong(Long::parseUnsignedLong).toArray();
        return new SnapshotInfo(xmin, xmax, xip);
    }

    /**
     * Opens the snapshot's {@code REPEATABLE READ READ ONLY} transaction and reads its snapshot in one round trip
     * (the two statements go out together). Opening it with SQL rather than through the connection's settings
     * (autocommit, isolation, read-only) saves the round trip of each setting and of each reset when the connection
     * goes back to the pool: under a burst of new shapes those round trips were most of a snapshot's time.
     */
    private static SnapshotInfo beginSnapshot(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_current_snapshot()::text");
            while (s.getResultSet() == null) {
                if (!s.getMoreResults() && s.getUpdateCount() == -1) throw new SQLException("no snapshot returned");
            }
            try (ResultSet rs = s.getResultSet()) {
                rs.next();
                return parseSnapshot(rs.getString(1));
            }
        }
    }

    /** Narrowing is an optimisation: if the collector cannot take it now, the broad routing stays, still correct. */
    private void narrowRouting(ShapeDefinition d, SubqueryValueSets values) throws InterruptedException {
        try {
            feed.subscribe(ShapeSubscription.of(state.handle(), d, consumer, values));
        } catch (RuntimeException e) {
            log.debug("routing of shape {} stays broad: {}", state.handle(), e.toString());
        }
    }

    /**
     * Reads what each sub-select of the shape's where clause selects (nested ones too), with the key of each row,
     * inside the snapshot's transaction.
     */
    private static SubqueryValueSets readValues(Connection c, ShapeDefinition d) throws SQLException {
        SubqueryValueSets values = new SubqueryValueSets(d.where().orElseThrow());
        for (SubqueryValueSets.ValueSet set : values.all()) {
            dev.ampere.where.Subquery q = set.subquery();
            TableInfo t = q.table();
            int width = t.columns().size();
            int[] key = t.primaryKey().isEmpty() ? java.util.stream.IntStream.range(0, width).toArray()
                    : t.primaryKey().stream().mapToInt(t::columnIndex).toArray();
            java.util.SortedSet<Integer> read = new java.util.TreeSet<>();
            for (int k : key) read.add(k);
            for (int k : q.columnIndexes()) read.add(k);
            int[] columns = read.stream().mapToInt(Integer::intValue).toArray();
            String sql = "SELECT " + String.join(", ", java.util.Arrays.stream(columns)
                    .mapToObj(i -> TableInfo.quoteIdent(t.columns().get(i).name())).toList())
                    + " FROM " + t.quotedName() + q.where().map(w -> " WHERE " + w.toSql()).orElse("");
            String prefix = dev.ampere.postgres.RowKeys.prefix(t.schema(), t.name());
            try (Statement s = c.createStatement()) {
                s.setFetchSize(1000);
                try (ResultSet rs = s.executeQuery(sql)) {
                    String[] row = new String[width];
                    while (rs.next()) {
                        for (int i = 0; i < columns.length; i++) row[columns[i]] = rs.getString(i + 1);
                        set.add(dev.ampere.postgres.RowKeys.key(prefix, row, key), i -> row[i]);
                    }
                }
            }
        }
        return values;
    }

    /** The COPY that reads a shape's rows, in its column order (text format; see {@link CopyTextRow}). */
    static String copySql(ShapeDefinition d) {
        return "COPY (SELECT " + String.join(", ", d.columns().stream().map(TableInfo::quoteIdent).toList())
                + " FROM " + d.table().quotedName() + d.whereSql().map(w -> " WHERE " + w).orElse("")
                + ") TO STDOUT";
    }

    /**
     * Streams the rows with {@code COPY (SELECT ...) TO STDOUT} inside the snapshot's transaction (a COPY there
     * reads the transaction's snapshot), encoding and storing them through a {@link SnapshotPipeline}: this thread
     * only reads the socket.
     */
    private long streamRows(Connection c, ShapeDefinition d, ShapeStorage storage) throws Exception {
        TableInfo table = d.table();
        List<String> columns = d.columns();
        int[] key = table.primaryKey().stream().mapToInt(columns::indexOf).toArray();
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        CopyOut out = copy.copyOut(copySql(d));
        // The query runs and yields rows: readers may commit their status once the first is stored and stream rows
        // as they are stored; should a later row fail, their responses are aborted, never completed.
        Runnable ready = () -> consumer.send(new Consumer.SnapshotReady());
        long rows = 0;
        try (SnapshotPipeline pipeline = new SnapshotPipeline("snapshot-" + storage.handle(), storage::appendSnapshotRow,
                () -> new SnapshotPipeline.Encoder(new CopyTextRow(columns.size()),
                        new SnapshotRowWriter(table, columns, key)),
                ENCODERS, ready)) {
            try {
                byte[] row;
                while ((row = out.readFromCopy()) != null) {
                    pipeline.accept(row);
                    rows++;
                }
            } catch (SQLException e) {
                // Postgres failed the query part way (the where clause on some row): the rows released before it
                // are stored, as a cursor would have stored them, and then the snapshot fails.
                cancel(out);
                try {
                    pipeline.sourceFailed();
                } catch (Exception alsoFailed) {
                    e.addSuppressed(alsoFailed);
                }
                throw e;
            } catch (Exception e) {
                cancel(out);
                throw e;
            }
            if (pipeline.finish() == 0) ready.run();
        }
        return rows;
    }

    /** Ends a COPY this side abandons, so the connection can go back to the pool. */
    private static void cancel(CopyOut out) {
        if (!out.isActive()) return;
        try {
            out.cancelCopy();
        } catch (SQLException expected) {
            // The server answers a cancelled COPY with an error: that is the cancel succeeding.
        }
    }
}
