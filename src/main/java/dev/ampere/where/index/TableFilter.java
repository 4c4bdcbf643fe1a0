package dev.ampere.where.index;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import dev.ampere.where.IndexPlan;
import dev.ampere.where.RowValues;
import dev.ampere.where.WhereClause;

/**
 * The shapes of one table inside a {@link ShapeFilterIndex}: unconditional shapes, hash indexes per column (scalar
 * equality and array-element membership), n-gram indexes of LIKE literals per text column ({@link FragmentIndex},
 * raw and case-folded) and the list of shapes that must be evaluated for every change. Every index hit is a
 * candidate, verified with the shape's full predicate at most once per change.
 *
 * <p>Not thread-safe; confined to the index's owner thread.
 */
final class TableFilter<K> {
    /** A registered shape; {@code checkedAt} is the change number it was last verified for (one check per change). */
    private static final class Registration<K> {
        final K shape;
        final WhereClause where;
        /** Entries in the fragment indexes, in {@code plan.fragments()} order; null when the plan has none. */
        List<FragmentIndex.Entry<Registration<K>>> fragmentEntries;
        long checkedAt = -1;

        Registration(K shape, WhereClause where) {
            this.shape = shape;
            this.where = where;
        }
    }

    /** The table's OID, boxed once for every map that keys by it. */
    final Integer oid;
    private final Map<K, Registration<K>> shapes = new HashMap<>();
    private final Set<K> unconditional = new LinkedHashSet<>();
    private final Map<K, WhereClause> scanned = new LinkedHashMap<>();
    private final Map<Integer, ColumnIndex<K>> scalar = new HashMap<>();
    private final Map<Integer, ColumnIndex<K>> arrays = new HashMap<>();
    /** Keyed by {@code column * 2 + (folded ? 1 : 0)}. */
    private final Map<Integer, FragmentIndex<Registration<K>>> fragments = new HashMap<>();
    private long change;

    TableFilter(Integer oid) {
        this.oid = oid;
    }

    void add(K shape, WhereClause where) {
        IndexPlan plan = where == null ? null : IndexPlan.of(where);
        // The plan is not kept: removal derives it again from the clause (IndexPlan.of is a pure function of it), so
        // an idle shape's registration is two references and a counter.
        Registration<K> r = new Registration<>(shape, where);
        shapes.put(shape, r);
        if (where == null) {
            unconditional.add(shape);
        } else if (plan == null) {
            scanned.put(shape, where);
        } else {
            for (IndexPlan.Key key : plan.keys()) {
                Map<Integer, ColumnIndex<K>> target = key.arrayElement() ? arrays : scalar;
                target.computeIfAbsent(key.column(), c -> new ColumnIndex<>(where, c)).add(key.value(), r);
            }
            for (IndexPlan.Fragments f : plan.fragments()) {
                FragmentIndex<Registration<K>> index = fragments.computeIfAbsent(fragmentSlot(f),
                        c -> new FragmentIndex<>(f.folded()));
                if (r.fragmentEntries == null) r.fragmentEntries = new ArrayList<>(1);
                r.fragmentEntries.add(index.add(r, f.runs()));
            }
        }
    }

    void remove(K shape) {
        Registration<K> r = shapes.remove(shape);
        if (r == null) return;
        unconditional.remove(shape);
        scanned.remove(shape);
        IndexPlan plan = r.where == null ? null : IndexPlan.of(r.where);
        if (plan != null) {
            for (IndexPlan.Key key : plan.keys()) {
                Map<Integer, ColumnIndex<K>> target = key.arrayElement() ? arrays : scalar;
                ColumnIndex<K> index = target.get(key.column());
                if (index != null && index.remove(key.value(), shape)) target.remove(key.column());
            }
            List<IndexPlan.Fragments> fs = plan.fragments();
            for (int i = 0; i < fs.size(); i++) {
                int slot = fragmentSlot(fs.get(i));
                if (fragments.get(slot).remove(r.fragmentEntries.get(i))) fragments.remove(slot);
            }
        }
    }

    private static int fragmentSlot(IndexPlan.Fragments f) {
        return f.column() * 2 + (f.folded() ? 1 : 0);
    }

    boolean isEmpty() {
        return shapes.isEmpty();
    }

    /** Adds the shapes {@code row} belongs to; a shape whose clause throws goes to {@code failed} instead. */
    void collect(RowValues row, Set<K> out, BiConsumer<K, RuntimeException> failed) {
        long now = ++change;
        out.addAll(unconditional);
        for (ColumnIndex<K> index : scalar.values()) index.collectScalar(row, out, failed, now);
        for (ColumnIndex<K> index : arrays.values()) index.collectElements(row, out, failed, now);
        if (!fragments.isEmpty()) {
            Consumer<Registration<K>> verify = r -> verify(r, row, out, failed, now);
            for (Map.Entry<Integer, FragmentIndex<Registration<K>>> e : fragments.entrySet()) {
                String value = row.text(e.getKey() >> 1);
                if (value != null) e.getValue().collect(value, verify);
            }
        }
        for (Map.Entry<K, WhereClause> e : scanned.entrySet()) {
            if (includes(e.getKey(), e.getValue(), row, failed)) out.add(e.getKey());
        }
    }

    /** Runs a candidate's predicate unless it already ran for this change. */
    private static <K> void verify(Registration<K> r, RowValues row, Set<K> out, BiConsumer<K, RuntimeException> failed,
                                   long now) {
        if (r.checkedAt == now) return;
        r.checkedAt = now;
        if (includes(r.shape, r.where, row, failed)) out.add(r.shape);
    }

    private static <K> boolean includes(K shape, WhereClause where, RowValues row, BiConsumer<K, RuntimeException> failed) {
        try {
            return where.includes(row);
        } catch (RuntimeException e) {
            failed.accept(shape, e);
            return false;
        }
    }

    /** Shapes by key value for one column; candidates are verified with their full predicate. */
    private static final class ColumnIndex<K> {
        private final int column;
        private final WhereClause parserSource;
        /**
         * Per value, the shapes that want it: the {@link Registration} itself for one shape (the common case, e.g.
         * {@code owner = k} per user, so an idle shape costs no object here), a map in insertion order for more.
         */
        private final Map<Object, Object> byValue = new HashMap<>();

        /** {@code parserSource}: any clause that reads the column; it knows the column's type and parser. */
        ColumnIndex(WhereClause parserSource, int column) {
            this.parserSource = parserSource;
            this.column = column;
        }

        @SuppressWarnings("unchecked")
        void add(Object value, Registration<K> r) {
            Object bucket = byValue.get(value);
            if (bucket == null || bucket instanceof Registration<?> one && one.shape.equals(r.shape)) {
                byValue.put(value, r);
            } else if (bucket instanceof Registration<?> one) {
                Map<K, Registration<K>> map = new LinkedHashMap<>();
                map.put((K) one.shape, (Registration<K>) one);
                map.put(r.shape, r);
                byValue.put(value, map);
            } else {
                ((Map<K, Registration<K>>) bucket).put(r.shape, r);
            }
        }

        /** Removes; true when the index became empty. */
        @SuppressWarnings("unchecked")
        boolean remove(Object value, K shape) {
            Object bucket = byValue.get(value);
            if (bucket instanceof Registration<?> one) {
                if (one.shape.equals(shape)) byValue.remove(value);
            } else if (bucket != null) {
                Map<K, Registration<K>> map = (Map<K, Registration<K>>) bucket;
                map.remove(shape);
                if (map.size() == 1) byValue.put(value, map.values().iterator().next());
            }
            return byValue.isEmpty();
        }

        void collectScalar(RowValues row, Set<K> out, BiConsumer<K, RuntimeException> failed, long now) {
            Object key = parserSource.columnKey(column, row);
            if (key != null) verifyAll(byValue.get(key), row, out, failed, now);
        }

        void collectElements(RowValues row, Set<K> out, BiConsumer<K, RuntimeException> failed, long now) {
            List<Object> keys = parserSource.columnElementKeys(column, row);
            if (keys == null) return;
            for (Object key : keys) verifyAll(byValue.get(key), row, out, failed, now);
        }

        @SuppressWarnings("unchecked")
        private static <K> void verifyAll(Object bucket, RowValues row, Set<K> out,
                                          BiConsumer<K, RuntimeException> failed, long now) {
            if (bucket == null) return;
            if (bucket instanceof Registration<?> one) {
                verify((Registration<K>) one, row, out, failed, now);
                return;
            }
            for (Registration<K> r : ((Map<K, Registration<K>>) bucket).values()) verify(r, row, out, failed, now);
        }
    }
}
