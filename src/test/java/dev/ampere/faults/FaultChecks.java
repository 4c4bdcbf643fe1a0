package dev.ampere.faults;

import dev.ampere.testing.TestDatabase;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every fault scenario checks afterwards: each shape's replayed log equals {@code SELECT} of its rows. */
final class FaultChecks {
    private FaultChecks() {}

    /** A database to check against: one of the shared test server, or of a server of the test's own. */
    record Db(String jdbcUrl) {
        static Db shared(String database) {
            return new Db(TestDatabase.jdbcUrl(database));
        }

        Connection connect() throws java.sql.SQLException {
            return java.sql.DriverManager.getConnection(jdbcUrl);
        }
    }

    /** The client's rows (id to title) must be the table's rows matching {@code where}, and each insert once. */
    static void assertShapeMatchesSelect(ShapeClient client, Db database, String table, String where)
            throws Exception {
        Map<String, String> expected = new TreeMap<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, title FROM " + table + (where == null ? "" : " WHERE " + where))) {
            while (rs.next()) expected.put(rs.getString(1), rs.getString(2));
        }
        Map<String, String> actual = new TreeMap<>();
        client.column("title").forEach((k, v) -> actual.put(k.substring(k.lastIndexOf("/\"") + 2, k.length() - 1), v));
        if (!expected.equals(actual)) {
            Map<String, String> missing = new TreeMap<>(expected);
            actual.keySet().forEach(missing::remove);
            Map<String, String> extra = new TreeMap<>(actual);
            expected.keySet().forEach(extra::remove);
            throw new AssertionError("shape " + table + (where == null ? "" : " WHERE " + where) + ": "
                    + expected.size() + " rows expected, " + actual.size() + " replayed; missing "
                    + first(missing) + ", extra " + first(extra));
        }
        assertEquals(client.inserts.size(), client.inserts.stream().distinct().count(),
                "an insert arrived twice without a delete between (" + table + ")");
    }

    private static String first(Map<String, String> m) {
        return m.size() <= 5 ? m.toString() : m.entrySet().stream().limit(5).toList() + " and " + (m.size() - 5) + " more";
    }

    static void sql(Db database, String... statements) throws Exception {
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            for (String q : statements) s.execute(q);
        }
    }

    static long lsn(Db database, String query) throws Exception {
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            assertTrue(rs.next(), query);
            String text = rs.getString(1);
            if (text == null) return 0;
            String[] parts = text.split("/");
            return (Long.parseLong(parts[0], 16) << 32) | Long.parseLong(parts[1], 16);
        }
    }

    static long confirmedFlushLsn(String streamId) throws Exception {
        return confirmedFlushLsn(Db.shared("postgres"), streamId);
    }

    static long confirmedFlushLsn(Db db, String streamId) throws Exception {
        // No slot (dropped, not yet created again) is no acknowledgement.
        return lsn(db, "SELECT max(confirmed_flush_lsn)::text FROM pg_replication_slots WHERE slot_name = "
                + "'electric_slot_" + streamId + "'");
    }

    /**
     * Waits until Ampere has stored and acknowledged everything written to the database so far (its slot's
     * confirmed_flush_lsn reaches the current WAL position), so that "up-to-date" then means up to date with
     * {@code SELECT}. Writes to an unwatched table nudge the acknowledgement along.
     */
    static void awaitReplicated(Db database, String streamId, Duration within) throws Exception {
        sql(database, "CREATE TABLE IF NOT EXISTS fault_nudge (id serial PRIMARY KEY)");
        long target = lsn(database, "SELECT pg_current_wal_lsn()::text");
        long deadline = System.nanoTime() + within.toNanos();
        while (Long.compareUnsigned(confirmedFlushLsn(database, streamId), target) < 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Ampere did not acknowledge the WAL up to " + Long.toHexString(target)
                        + " within " + within + " (at " + Long.toHexString(confirmedFlushLsn(database, streamId)) + ")");
            }
            sql(database, "INSERT INTO fault_nudge DEFAULT VALUES");
            Thread.sleep(200); // polls an observed state
        }
    }

    /** Drops the slot once no walsender holds it (a killed Ampere's walsender goes away shortly). */
    static void dropSlot(String streamId) throws Exception {
        dropSlot(Db.shared("postgres"), streamId);
    }

    static void dropSlot(Db db, String streamId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Connection c = db.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = "
                         + "'electric_slot_" + streamId + "'")) {
                if (!rs.next()) return;
                if (!rs.getBoolean(1)) {
                    s.execute("SELECT pg_drop_replication_slot('electric_slot_" + streamId + "')");
                    return;
                }
            }
            Thread.sleep(100);
        }
    }

    /**
     * The backends (other than the caller's) in the snapshot query of {@code table}, as {@code pid}: running it,
     * or between two fetches of its rows (idle in its transaction).
     */
    static String snapshotBackends(String table) {
        return "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                + "AND state IN ('active', 'idle in transaction') "
                + "AND pid <> pg_backend_pid() AND (query LIKE 'SELECT %FROM \"public\".\"" + table + "\"%' "
                + "OR query LIKE 'COPY (SELECT %FROM \"public\".\"" + table + "\"%')"; // snapshots read with COPY
    }

    /** Polls until a backend of {@code pidQuery} exists and terminates it on the spot; false after {@code seconds}. */
    static boolean terminateWhenSeen(Db database, String pidQuery, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT bool_or(pg_terminate_backend(pid)) FROM (" + pidQuery
                        + ") AS p(pid)")) {
                    if (rs.next() && rs.getBoolean(1)) return true;
                }
                Thread.sleep(2);
            }
        }
        return false;
    }

    /** Polls {@code query} (a count) on {@code database} until it is positive; false after {@code seconds}. */
    static boolean await(Db database, String query, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery(query)) {
                    if (rs.next() && rs.getLong(1) > 0) return true;
                }
                Thread.sleep(2);
            }
        }
        return false;
    }
}
