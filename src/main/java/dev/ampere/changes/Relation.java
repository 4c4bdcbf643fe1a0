package dev.ampere.changes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A table as the replication stream describes it (pgoutput Relation message): its OID, names, replica identity
 * and columns in attribute order. Every {@link Change} points at the Relation it was decoded with, and rows share
 * its column-name list, so a row is just a {@code String[]} aligned with {@link #columnNames()}.
 *
 * <p>The replication stream reports each Relation through the WAL reader's change sink when it is first used in a
 * session and again after the table's name, columns or types change; downstream compares it (structural
 * {@link #equals}) with what it knew to invalidate shapes.
 *
 * <p>Immutable and safe to share between threads.
 */
public final class Relation {
    /** One column: its name, type OID and type modifier as pgoutput sent them. */
    public record Column(String name, int typeOid, int typeMod, boolean replicaIdentityKey) {}

    private final int id;
    private final String schema;
    private final String table;
    private final char replicaIdentity;
    private final List<Column> columns;
    private final List<String> columnNames;
    private final Map<String, Integer> indexByName;

    public Relation(int id, String schema, String table, char replicaIdentity, List<Column> columns) {
        this.id = id;
        this.schema = schema;
        this.table = table;
        this.replicaIdentity = replicaIdentity;
        this.columns = List.copyOf(columns);
        List<String> names = new ArrayList<>(columns.size());
        Map<String, Integer> index = new HashMap<>(columns.size() * 2);
        for (int i = 0; i < columns.size(); i++) {
            names.add(columns.get(i).name());
            index.put(columns.get(i).name(), i);
        }
        this.columnNames = Collections.unmodifiableList(names);
        this.indexByName = Map.copyOf(index);
    }

    /** The table's OID (pgoutput's relation id). */
    public int id() {
        return id;
    }

    public String schema() {
        return schema;
    }

    public String table() {
        return table;
    }

    /** {@code d} default, {@code n} nothing, {@code f} full, {@code i} index. */
    public char replicaIdentity() {
        return replicaIdentity;
    }

    public List<Column> columns() {
        return columns;
    }

    /** Column names in attribute order; the same list instance for every row of this relation. */
    public List<String> columnNames() {
        return columnNames;
    }

    /** Position of a column, or -1. */
    public int columnIndex(String name) {
        Integer i = indexByName.get(name);
        return i == null ? -1 : i;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Relation r && id == r.id && replicaIdentity == r.replicaIdentity
                && schema.equals(r.schema) && table.equals(r.table) && columns.equals(r.columns);
    }

    @Override
    public int hashCode() {
        return (id * 31 + schema.hashCode()) * 31 + table.hashCode();
    }

    @Override
    public String toString() {
        return "Relation[" + id + " " + schema + "." + table + " " + columns + "]";
    }
}
