package dev.ampere.postgres.wal;
import dev.ampere.changes.Relation;

import java.util.List;

/**
 * Tells the assembler which columns make up a table's key, for the Shape API row keys. The answer is the
 * catalog's primary key in key order (the Inspector's {@code TableInfo.primaryKey()}); an empty list means the
 * table has none and all columns, in attribute order, form the key. pgoutput's own key flags cannot be used:
 * under REPLICA IDENTITY FULL it flags every column.
 *
 * <p>Called on the replication thread, at most once per Relation message per table; may block briefly.
 */
@FunctionalInterface
public interface KeyColumnLookup {
    List<String> keyColumns(Relation relation);

    /** A lookup that treats every table as keyless: all columns form the key. */
    static KeyColumnLookup allColumns() {
        return relation -> List.of();
    }
}
