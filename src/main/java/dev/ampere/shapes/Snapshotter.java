package dev.ampere.shapes;

import dev.ampere.postgres.QueryPoolView;
import dev.ampere.postgres.RowKeys;
import dev.ampere.postgres.TableInfo;
import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessContext;
import dev.ampere.process.ProcessRef;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.SnapshotInfo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a new shape's initial rows (docs/protocol.md §3.6).
 *
 * <p>Place in the tree: an owned process of the shape's {@link Consumer} ({@code OwnedProcesses}, forked in a scope
 * of the consumer's run, itself forked by the DynamicConsumerSupervisor); it exits when the snapshot is stored, and
 * is stopped if the consumer exits first. The consumer monitors it: a failure it reports, or a crash, ends the
 * shape with its {@link SnapshotFailure}. It owns one pooled connection for the duration; it writes the shape's snapshot region in
 * storage (the storage contract's snapshot writer) and tells the consumer how far it got, never touching the
 * shape's state itself.
 *
 * <p>Order: the table goes into the publication with REPLICA IDENTITY FULL first; then a
 * {@code REPEATABLE READ READ ONLY} transaction takes {@code pg_current_snapshot()}, which goes to the consumer
 * (so it can drop stream transactions the snapshot contains); then the rows stream through a server-side cursor,
 * encoded once each. When the first row is stored, or the query is known to return none, the consumer hears
 * {@link Consumer.SnapshotReady}: only then may a response for the snapshot commit its status. The snapshot ends with
 * the {@code snapshot-end} control message. A failure goes to the consumer, sorted ({@link SnapshotFailure}).
 *
 * <p>Threading: a process; its connection is confined to its thread.
 */
public final class Snapshotter implements ProcessBody {
    private static final Logger log = LoggerFactory.getLogger(Snapshotter.class);
    private static final int FETCH_SIZE = 2_000;
    /** A long snapshot reports its progress this often (checked every {@link #FETCH_SIZE} rows). */
    private static final long PROGRESS_EVERY_NANOS = 5_000_000_000L;

    private final ShapeState state;
    private final ProcessRef consumer;
    private final QueryPoolView pool;
    private final String publication;
    private final ShapeMetrics metrics;

    public Snapshotter(ShapeState state, ProcessRef consumer, QueryPoolView pool, String publication) {
        this(state, consumer, pool, publication, ShapeMetrics.NONE);
    }

    public Snapshotter(ShapeState state, ProcessRef consumer, QueryPoolView pool, String publication,
                       ShapeMetrics metrics) {
        this.metrics = metrics;
        this.state = state;
        this.consumer = consumer;
        this.pool = pool;
        this.publication = publication;
    }

    @Override
    public void run(ProcessContext ctx) {
        ctx.started();
        MDC.put(Consumer.SHAPE_HANDLE, state.handle());
        long started = System.nanoTime();
        try {
            DataSource ds = pool.require();
            ShapeDefinition d = state.definition();
            PublicationSetup.prepare(ds, publication, d.table());
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setReadOnly(true);
                SnapshotInfo info = currentSnapshot(c);
                consumer.send(new Consumer.SnapshotStarted(info));
                ShapeStorage storage = state.storage();
                long rows = 0;
                if (d.log() == ShapeDefinition.LogMode.FULL) rows = streamRows(c, d, storage);
                else consumer.send(new Consumer.SnapshotReady());
                storage.appendSnapshotRow(LogItemEncoder.snapshotEnd(info.xmin(), info.xmax(), info.xipList()));
                storage.completeSnapshot(info);
                c.commit();
                long took = System.nanoTime() - started;
                metrics.snapshotStored(rows, took);
                // Long snapshots are worth an operator's attention; the others are there when debugging.
                (took > PROGRESS_EVERY_NANOS ? log.atInfo() : log.atDebug())
                        .log("snapshot of {} for shape {} done: {} rows in {} ms", d.table().quotedName(),
                                state.handle(), rows, took / 1_000_000);
            }
        } catch (Exception e) {
            if (!ctx.stopRequested()) {
                metrics.snapshotFailed();
                consumer.send(new Consumer.SnapshotFailed(SnapshotFailure.of(e)));
            }
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

    private static SnapshotInfo currentSnapshot(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_snapshot()::text")) {
            rs.next();
            return parseSnapshot(rs.getString(1));
        }
    }

    private long streamRows(Connection c, ShapeDefinition d, ShapeStorage storage) throws Exception {
        TableInfo table = d.table();
        List<String> columns = d.columns();
        String sql = "SELECT " + String.join(", ", columns.stream().map(TableInfo::quoteIdent).toList())
                + " FROM " + table.quotedName() + d.whereSql().map(w -> " WHERE " + w).orElse("");
        int[] key = table.primaryKey().stream().mapToInt(columns::indexOf).toArray();
        String prefix = LogItemEncoder.keyPrefix(table);
        LogItemEncoder encoder = new LogItemEncoder(table);
        try (Statement s = c.createStatement()) {
            s.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = s.executeQuery(sql)) {
                String[] values = new String[columns.size()];
                boolean first = true;
                long rows = 0;
                long started = System.nanoTime();
                long lastReport = started;
                while (rs.next()) {
                    if (++rows % FETCH_SIZE == 0 && System.nanoTime() - lastReport > PROGRESS_EVERY_NANOS) {
                        lastReport = System.nanoTime();
                        log.info("snapshot of {} for shape {}: {} rows so far ({} s)", table.quotedName(),
                                state.handle(), rows, (lastReport - started) / 1_000_000_000L);
                    }
                    for (int i = 0; i < values.length; i++) values[i] = rs.getString(i + 1);
                    storage.appendSnapshotRow(encoder.snapshotRow(RowKeys.key(prefix, values, key), columns, values));
                    if (first) {
                        // The query runs and yields rows: readers may commit their status now and stream rows as they
                        // are stored; should a later row fail, their responses are aborted, never completed.
                        consumer.send(new Consumer.SnapshotReady());
                        first = false;
                    }
                }
                if (first) consumer.send(new Consumer.SnapshotReady());
                return rows;
            }
        }
    }
}
