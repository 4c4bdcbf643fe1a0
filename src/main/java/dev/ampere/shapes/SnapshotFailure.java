package dev.ampere.shapes;

import java.sql.SQLException;

/**
 * Why a shape's snapshot query failed, sorted by what a client can do about it (docs/protocol.md §1.4):
 * <ul>
 *   <li>{@link Kind#INVALID_QUERY}: Postgres refused the shape's own query for its data (a where clause that divides
 *   by zero for some row, an invalid cast, a character the database cannot hold): the request is the cause, so the
 *   client gets a 400 naming the where clause. Electric answers these with a 500; we do not, because clients retry
 *   5xx forever and the shape can never succeed.</li>
 *   <li>{@link Kind#SCHEMA_CHANGED}: the table or a column went away meanwhile: 409 must-refetch.</li>
 *   <li>{@link Kind#UNAVAILABLE}: the database could not be asked, or refused us for want of privilege or a lock:
 *   503 with retry-after.</li>
 * </ul>
 *
 * @param kind    what the client should be told
 * @param message one line for the client and the log (Postgres's own message where it gave one)
 *
 * <p>Immutable.
 */
public record SnapshotFailure(Kind kind, String message) {
    public enum Kind { INVALID_QUERY, SCHEMA_CHANGED, UNAVAILABLE }

    /** Sorts an exception raised while taking a snapshot. */
    public static SnapshotFailure of(Throwable error) {
        SQLException sql = findSql(error);
        if (sql == null) return new SnapshotFailure(Kind.UNAVAILABLE, describe(error));
        String state = sql.getSQLState() == null ? "" : sql.getSQLState();
        String message = firstLine(sql.getMessage());
        if (state.equals("42P01") || state.equals("42703") || state.equals("42883")) {
            return new SnapshotFailure(Kind.SCHEMA_CHANGED, message);
        }
        // Class 22 (data exception) and 2201x/22P0x come from evaluating the query on the rows: the where clause.
        if (state.startsWith("22") || state.equals("42804")) {
            return new SnapshotFailure(Kind.INVALID_QUERY, message);
        }
        return new SnapshotFailure(Kind.UNAVAILABLE, message);
    }

    private static SQLException findSql(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException s) return s;
        }
        return null;
    }

    private static String describe(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : firstLine(t.getMessage());
    }

    /** Postgres messages from pgjdbc start with {@code ERROR: } and may carry detail lines; clients get the first. */
    private static String firstLine(String m) {
        if (m == null) return "unknown error";
        String line = m.lines().findFirst().orElse(m);
        return line.startsWith("ERROR: ") ? line.substring("ERROR: ".length()) : line;
    }
}
