package dev.ampere.where;

/**
 * A row as the where clause sees it: each column's value in Postgres text format (as pgoutput and the snapshot
 * deliver it), or null for SQL NULL. {@code columnIndex} is the column's position in {@code TableInfo.columns()}.
 * Only the columns a clause references are ever asked for ({@link WhereClause#referencedColumns()}).
 *
 * <p>Implementations need not be thread-safe; a predicate reads a row on the caller's thread only.
 */
@FunctionalInterface
public interface RowValues {
    String text(int columnIndex);
}
