package dev.ampere.changes;

import java.util.Arrays;
import java.util.List;

/**
 * One row's column values as Postgres text output (null for SQL NULL), aligned with its {@link Relation}'s
 * columns. The column names are the Relation's shared list, so a row costs one array plus its strings; where
 * clauses compiled against a relation read values by index.
 *
 * <p>Immutable by contract: the array is adopted, not copied, and must not be modified after construction.
 */
public final class Row {
    private final Relation relation;
    private final String[] values;

    public Row(Relation relation, String[] values) {
        if (values.length != relation.columns().size()) {
            throw new IllegalArgumentException("row has " + values.length + " values, " + relation + " has "
                    + relation.columns().size() + " columns");
        }
        this.relation = relation;
        this.values = values;
    }

    public Relation relation() {
        return relation;
    }

    public List<String> columnNames() {
        return relation.columnNames();
    }

    public int size() {
        return values.length;
    }

    /** The text value of column {@code index}, or null for NULL. */
    public String value(int index) {
        return values[index];
    }

    /** The text value of the named column; null for NULL. Throws for an unknown column. */
    public String value(String column) {
        int i = relation.columnIndex(column);
        if (i < 0) throw new IllegalArgumentException("no column " + column + " in " + relation);
        return values[i];
    }

    /** A copy of the values. */
    public String[] values() {
        return values.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Row r && relation.equals(r.relation) && Arrays.equals(values, r.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(relation.columnNames().get(i)).append('=').append(values[i]);
        }
        return sb.append('}').toString();
    }
}
