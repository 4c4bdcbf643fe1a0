package dev.ampere.shapes;

import dev.ampere.postgres.TableInfo;
import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessContext;
import dev.ampere.process.ProcessRef;
import dev.ampere.postgres.RowKeys;
import dev.ampere.shapecache.ShapeStatus;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.SnapshotInfo;
import dev.ampere.stack.Stack;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

/**
 * Reads a new shape's initial rows (PROTOCOL.md §3.6): puts the table in the publication with REPLICA IDENTITY
 * FULL first, then opens a {@code REPEATABLE READ READ ONLY} transaction, takes {@code pg_current_snapshot()} and
 * hands it to the consumer (which can then drop stream transactions the snapshot contains), and streams the rows
 * with a server-side cursor into the shape's snapshot chunks, encoding each row once. It ends with the
 * {@code snapshot-end} control message. Exits when done; a failure is reported to the consumer, which ends the
 * shape.
 *
 * <p>Threading: a temporary process; its connection is confined to its thread.
 */
public final class Snapshotter implements ProcessBody {
    private static final int FETCH_SIZE = 2_000;

    private final Stack stack;
    private final ShapeStatus status;
    private final ProcessRef consumer;

    public Snapshotter(Stack stack, ShapeStatus status, ProcessRef consumer) {
        this.stack = stack;
        this.status = status;
        this.consumer = consumer;
    }

    @Override
    public void run(ProcessContext ctx) {
        ctx.started();
        try {
            DataSource pool = stack.pool().orElseThrow(() -> new IllegalStateException("no database connection"));
            ShapeDefinition d = status.definition();
            PublicationSetup.prepare(pool, stack.config().publicationName(), d.table());
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setReadOnly(true);
                SnapshotInfo info = currentSnapshot(c);
                consumer.send(new Consumer.SnapshotStarted(info));
                ShapeStorage storage = status.storage();
                if (d.log() == ShapeDefinition.LogMode.FULL) streamRows(c, d, storage);
                storage.appendSnapshotRow(LogItemEncoder.snapshotEnd(info.xmin(), info.xmax(), info.xipList()));
                storage.completeSnapshot(info);
                c.commit();
            }
        } catch (Exception e) {
            if (!ctx.stopRequested()) consumer.send(new Consumer.SnapshotFailed(e));
        }
    }

    /** Parses {@code pg_current_snapshot()}'s text form {@code xmin:xmax:xip,xip,...}. */
    static SnapshotInfo parseSnapshot(String text) {
        String[] parts = text.split(":", -1);
        long xmin = Long.parseUnsignedLong(parts[0]);
        long xmax = Long.parseUnsignedLong(parts[1]);
        long[] xip = parts.length < 3 || parts[2].isEmpty() ? new long[0]
                : java.util.Arrays.stream(parts[2].split(",")).mapToLong(Long::parseUnsignedLong).toArray();
        return new SnapshotInfo(xmin, xmax, xip);
    }

    private static SnapshotInfo currentSnapshot(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_snapshot()::text")) {
            rs.next();
            return parseSnapshot(rs.getString(1));
        }
    }

    private static void streamRows(Connection c, ShapeDefinition d, ShapeStorage storage) throws Exception {
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
                while (rs.next()) {
                    for (int i = 0; i < values.length; i++) values[i] = rs.getString(i + 1);
                    storage.appendSnapshotRow(encoder.snapshotRow(RowKeys.key(prefix, values, key), columns, values));
                }
            }
        }
    }
}
