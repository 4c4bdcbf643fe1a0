package dev.ampere.where;

import dev.ampere.postgres.TableInfo;

/**
 * Finds the tables that sub-selects name ({@code x IN (SELECT y FROM t ...)}), for {@link WhereClause#parse(String,
 * TableInfo, java.util.Map, TableResolver)}. The caller decides where the metadata comes from (the catalog, a cache).
 *
 * <p>Implementations must be safe to call from the thread that parses.
 */
@FunctionalInterface
public interface TableResolver {
    /**
     * The table, or null when it does not exist (or may not be read by shapes).
     *
     * @param schema the schema as written, or null when the sub-select did not name one
     * @throws Unavailable when the metadata cannot be read now (the database is unreachable)
     */
    TableInfo resolve(String schema, String table);

    /** The metadata could not be read now: not the client's error; parsing stops and the caller answers 503. */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
