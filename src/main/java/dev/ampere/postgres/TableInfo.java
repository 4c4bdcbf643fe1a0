package dev.ampere.postgres;

import java.util.List;
import java.util.Optional;

/**
 * A table's metadata as the Inspector read it: identity, columns in attribute order, primary key and replica
 * identity. Tables without a primary key use all columns, in attribute order, as their key (docs/protocol.md §2.3).
 *
 * @param schema          the schema name, exactly as stored
 * @param name            the table name, exactly as stored
 * @param oid             the table's OID
 * @param columns         non-dropped columns in attribute order
 * @param primaryKey      names of the key columns in key order; all columns when the table has no primary key
 * @param replicaIdentity {@code pg_class.relreplident}: {@code d} default, {@code f} full, {@code i} index,
 *                        {@code n} nothing
 * @param kind            {@code pg_class.relkind}: {@code r} table, {@code p} partitioned table
 *
 * <p>Immutable.
 */
public record TableInfo(String schema, String name, int oid, List<ColumnInfo> columns, List<String> primaryKey,
                        char replicaIdentity, char kind) {
    public TableInfo {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    public Optional<ColumnInfo> column(String columnName) {
        for (ColumnInfo c : columns) {
            if (c.name().equals(columnName)) return Optional.of(c);
        }
        return Optional.empty();
    }

    /** Position of the column in {@link #columns()}, or -1. */
    public int columnIndex(String columnName) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(columnName)) return i;
        }
        return -1;
    }

    /** {@code "schema"."name"} with embedded double quotes doubled: safe to paste into SQL. */
    public String quotedName() {
        return quoteIdent(schema) + "." + quoteIdent(name);
    }

    /** Quotes an identifier for SQL: wraps it in double quotes and doubles any double quote inside. */
    public static String quoteIdent(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
