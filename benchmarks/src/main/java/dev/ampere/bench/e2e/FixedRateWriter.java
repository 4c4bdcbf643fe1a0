package dev.ampere.bench.e2e;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongUnaryOperator;

/**
 * Writes single-row transactions on a fixed-rate schedule through JDBC with {@code synchronous_commit=on}: write
 * {@code i} (1-based, id {@link WriteLog#id}) is due at {@code start + (i-1)/rate}; the writer sleeps until then, INSERTs, notes
 * the time just before COMMIT in the {@link WriteLog}, and commits. A writer that falls behind does not skip rows;
 * the lag shows in {@link WriteLog#writerLag()} and in the schedule-based latencies.
 */
final class FixedRateWriter {
    private FixedRateWriter() {}

    /** Returns the number of rows written (fewer than asked only when the deadline passed). */
    static int run(Database db, String table, WriteLog log, double perSecond, LongUnaryOperator ownerOf,
            long deadlineNanos) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("SET synchronous_commit = on");
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO " + table + " (id, owner, payload) VALUES (?, ?, ?)")) {
                long period = (long) (1e9 / perSecond);
                long start = System.nanoTime() + 50_000_000L;
                for (int i = 1; i <= log.size(); i++) {
                    long id = log.id(i);
                    long due = start + (i - 1) * period;
                    for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                        LockSupport.parkNanos(wait);
                    }
                    if (System.nanoTime() > deadlineNanos) return i - 1;
                    insert.setLong(1, id);
                    insert.setInt(2, (int) ownerOf.applyAsLong(id));
                    insert.setString(3, "row " + id + " written by the end-to-end benchmark");
                    insert.executeUpdate();
                    log.wrote(id, due, System.nanoTime());
                    c.commit();
                }
                return log.size();
            }
        }
    }
}
