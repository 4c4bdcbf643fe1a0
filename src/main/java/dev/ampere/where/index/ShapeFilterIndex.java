package dev.ampere.where.index;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import dev.ampere.postgres.TableInfo;
import dev.ampere.where.IndexPlan;
import dev.ampere.where.RowValues;
import dev.ampere.where.WhereClause;

/**
 * Answers "which shapes can this changed row belong to?" for the log collector (docs/architecture.md, data flow,
 * docs/protocol.md §2.1 "Filtering fast path"). Shapes are grouped per table; within a table, shapes whose where
 * clause has an {@link IndexPlan} are found through hash indexes on column values (and on array elements), so a
 * change costs one lookup per indexed column however many shapes there are, and constant LIKE/ILIKE patterns
 * through n-gram indexes of their literals ({@link FragmentIndex}), so a change costs a few lookups per character
 * of the indexed text values however many patterns there are; only the hits and the non-indexable shapes run their
 * compiled predicate. Shapes without a where clause always match.
 *
 * <p>Threading: not thread-safe. It is owned by one thread, the log collector, which registers, removes and looks
 * up; other threads must hand their registrations to that thread.
 *
 * @param <K> shape identifier (e.g. the shape handle); must have value equality
 */
public final class ShapeFilterIndex<K> {
    private final Map<Integer, TableFilter<K>> tables = new HashMap<>();
    private final Map<K, Integer> tableOfShape = new HashMap<>();

    /** Registers a shape on {@code table}; {@code where} null means every row of the table. Replaces a prior entry. */
    public void register(K shape, TableInfo table, WhereClause where) {
        remove(shape);
        TableFilter<K> filter = tables.computeIfAbsent(table.oid(), TableFilter::new);
        filter.add(shape, where);
        tableOfShape.put(shape, filter.oid); // the map's own boxed key: one Integer per table, not per shape
    }

    /** Forgets a shape; unknown shapes are ignored. */
    public void remove(K shape) {
        Integer oid = tableOfShape.remove(shape);
        if (oid == null) return;
        TableFilter<K> filter = tables.get(oid);
        filter.remove(shape);
        if (filter.isEmpty()) tables.remove(oid);
    }

    /** The shapes on table {@code tableOid} whose where clause {@code row} satisfies (a clause that throws: not). */
    public Set<K> affectedShapes(int tableOid, RowValues row) {
        return affectedShapes(tableOid, row, (shape, error) -> { });
    }

    /**
     * The shapes on table {@code tableOid} whose where clause {@code row} satisfies. A shape whose clause cannot be
     * evaluated on the row (Postgres would raise an error, or the evaluation went over its budget, see
     * {@link WhereClause#includes}) is not in the result and goes to {@code failed} with the error, so the caller
     * decides what becomes of it; the other shapes are unaffected.
     */
    public Set<K> affectedShapes(int tableOid, RowValues row, BiConsumer<K, RuntimeException> failed) {
        Set<K> out = new LinkedHashSet<>();
        TableFilter<K> filter = tables.get(tableOid);
        if (filter != null) filter.collect(row, out, failed);
        return out;
    }

    /** Whether any shape is registered on the table (a change to another table can be skipped at once). */
    public boolean hasShapes(int tableOid) {
        return tables.containsKey(tableOid);
    }

    public int size() {
        return tableOfShape.size();
    }
}
