package dev.ampere.shapes;

import dev.ampere.changes.Change;
import dev.ampere.changes.Row;
import dev.ampere.where.RowValues;
import dev.ampere.where.Subquery;
import dev.ampere.where.SubqueryValues;
import dev.ampere.where.WhereClause;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The current values of a where clause's sub-selects, kept by the shape that filters through them (docs/protocol.md,
 * "Sub-selects"): per sub-select, which rows of its table it selects (by row key) and the value each contributes,
 * with a count per distinct value. A sub-select's own where clause may hold sub-selects, whose sets nest inside.
 *
 * <p>Filled from the shape's snapshot transaction ({@link #add}), then kept current by the shape's stream changes
 * ({@link #apply}), which report whether the distinct values of any set changed: rows of the outer table may then
 * enter or leave the shape without a change of their own.
 *
 * <p>Not thread-safe: built by the snapshotter, then owned by the shape's consumer.
 */
final class SubqueryValueSets implements SubqueryValues {
    private final List<ValueSet> sets;

    /** Empty sets for every sub-select of {@code where}, nested ones included. */
    SubqueryValueSets(WhereClause where) {
        this(where.subqueries());
    }

    private SubqueryValueSets(List<Subquery> subqueries) {
        List<ValueSet> out = new ArrayList<>();
        for (Subquery q : subqueries) out.add(new ValueSet(q));
        this.sets = List.copyOf(out);
    }

    /** Every set of the tree, outermost first, for the snapshotter to fill. */
    List<ValueSet> all() {
        List<ValueSet> out = new ArrayList<>();
        for (ValueSet s : sets) s.collect(out);
        return out;
    }

    /**
     * Applies a change of any table to the sets over that table, at every level. Returns whether the distinct
     * values of some set changed.
     *
     * @throws RuntimeException when a sub-select's where clause cannot be evaluated on the changed row
     */
    boolean apply(Change change) {
        boolean moved = false;
        for (ValueSet s : sets) moved |= s.apply(change);
        return moved;
    }

    @Override
    public boolean contains(int subquery, List<Object> key) {
        return sets.get(subquery).counts.containsKey(key);
    }

    @Override
    public boolean isEmpty(int subquery) {
        return sets.get(subquery).counts.isEmpty();
    }

    @Override
    public boolean hasNulls(int subquery) {
        return sets.get(subquery).withNulls > 0;
    }

    @Override
    public Collection<List<Object>> values(int subquery) {
        return Collections.unmodifiableSet(sets.get(subquery).counts.keySet());
    }

    /** One sub-select's rows and values. */
    static final class ValueSet {
        private final Subquery subquery;
        /** The sets of this sub-select's own sub-selects, against which its where clause is evaluated. */
        final SubqueryValueSets nested;
        private final Map<String, List<Object>> byRow = new HashMap<>();
        private final Map<List<Object>, Integer> counts = new HashMap<>();
        private int withNulls;

        ValueSet(Subquery subquery) {
            this.subquery = subquery;
            this.nested = new SubqueryValueSets(subquery.where().map(WhereClause::subqueries).orElse(List.of()));
        }

        Subquery subquery() {
            return subquery;
        }

        private void collect(List<ValueSet> out) {
            out.add(this);
            for (ValueSet s : nested.sets) s.collect(out);
        }

        /** A row the sub-select selects, as the snapshot read it. */
        void add(String rowKey, RowValues row) {
            put(rowKey, subquery.key(row));
        }

        private boolean apply(Change change) {
            boolean moved = nested.apply(change);
            if (change.relation().id() != subquery.table().oid()) return moved;
            return switch (change) {
                case Change.Insert i -> set(i.key(), i.record()) || moved;
                case Change.Delete d -> remove(d.key()) || moved;
                case Change.Update u -> {
                    if (u.keyChanged()) {
                        // The new key first: a row that keeps its value under a new key never takes the value out.
                        boolean added = set(u.key(), u.record());
                        boolean removed = remove(u.oldKey());
                        yield added || removed || moved;
                    }
                    yield set(u.key(), u.record()) || moved;
                }
                case Change.Truncate t -> true;
            };
        }

        /** The row's key now selects what {@code row} gives (or nothing); whether the distinct values changed. */
        private boolean set(String rowKey, Row row) {
            RowValues values = row::value;
            List<Object> next = subquery.includes(values, nested) ? subquery.key(values) : null;
            List<Object> prior = byRow.get(rowKey);
            if (Objects.equals(prior, next)) return false;
            if (next == null) {
                byRow.remove(rowKey);
                return release(prior);
            }
            return put(rowKey, next);
        }

        private boolean remove(String rowKey) {
            List<Object> prior = byRow.remove(rowKey);
            return prior != null && release(prior);
        }

        /** Counts a row's value; whether the value is new to the set. */
        private boolean put(String rowKey, List<Object> value) {
            List<Object> prior = byRow.put(rowKey, value);
            boolean released = prior != null && release(prior);
            int n = counts.merge(value, 1, Integer::sum);
            if (n == 1 && value.contains(null)) withNulls++;
            return n == 1 || released;
        }

        /** Uncounts a value; whether it left the set. */
        private boolean release(List<Object> value) {
            Integer n = counts.get(value);
            if (n == null) return false;
            if (n > 1) {
                counts.put(value, n - 1);
                return false;
            }
            counts.remove(value);
            if (value.contains(null)) withNulls--;
            return true;
        }
    }
}
