package dev.ampere.where.index;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import dev.ampere.where.IndexPlan;
import dev.ampere.where.RowValues;
import dev.ampere.where.WhereClause;

/**
 * The shapes of one table inside a {@link ShapeFilterIndex}: unconditional shapes, hash indexes per column (scalar
 * equality and array-element membership) and the list of shapes that must be evaluated for every change.
 *
 * <p>Not thread-safe; confined to the index's owner thread.
 */
final class TableFilter<K> {
    /** Each shape's clause (null for none); its index plan is derived again on removal rather than kept. */
    private final Map<K, WhereClause> shapes = new HashMap<>();
    private final Set<K> unconditional = new java.util.LinkedHashSet<>();
    private final Map<K, WhereClause> scanned = new LinkedHashMap<>();
    private final Map<Integer, ColumnIndex<K>> scalar = new HashMap<>();
    private final Map<Integer, ColumnIndex<K>> arrays = new HashMap<>();

    void add(K shape, WhereClause where) {
        IndexPlan plan = where == null ? null : IndexPlan.of(where);
        shapes.put(shape, where);
        if (where == null) {
            unconditional.add(shape);
        } else if (plan == null) {
            scanned.put(shape, where);
        } else {
            for (IndexPlan.Key key : plan.keys()) {
                Map<Integer, ColumnIndex<K>> target = key.arrayElement() ? arrays : scalar;
                target.computeIfAbsent(key.column(), c -> new ColumnIndex<>(where, c))
                        .add(key.value(), shape, where);
            }
        }
    }

    void remove(K shape) {
        if (!shapes.containsKey(shape)) return;
        WhereClause where = shapes.remove(shape);
        unconditional.remove(shape);
        scanned.remove(shape);
        IndexPlan plan = where == null ? null : IndexPlan.of(where);
        if (plan != null) {
            for (IndexPlan.Key key : plan.keys()) {
                Map<Integer, ColumnIndex<K>> target = key.arrayElement() ? arrays : scalar;
                ColumnIndex<K> index = target.get(key.column());
                if (index != null && index.remove(key.value(), shape)) target.remove(key.column());
            }
        }
    }

    boolean isEmpty() {
        return shapes.isEmpty();
    }

    /** Adds the shapes {@code row} belongs to; a shape whose clause throws goes to {@code failed} instead. */
    void collect(RowValues row, Set<K> out, BiConsumer<K, RuntimeException> failed) {
        out.addAll(unconditional);
        for (ColumnIndex<K> index : scalar.values()) index.collectScalar(row, out, failed);
        for (ColumnIndex<K> index : arrays.values()) index.collectElements(row, out, failed);
        for (Map.Entry<K, WhereClause> e : scanned.entrySet()) {
            if (includes(e.getKey(), e.getValue(), row, failed)) out.add(e.getKey());
        }
    }

    private static <K> boolean includes(K shape, WhereClause where, RowValues row, BiConsumer<K, RuntimeException> failed) {
        try {
            return where.includes(row);
        } catch (RuntimeException e) {
            failed.accept(shape, e);
            return false;
        }
    }

    /** Shape ids by key value for one column; candidates are verified with their full predicate. */
    private static final class ColumnIndex<K> {
        private final int column;
        private final WhereClause parserSource;
        /**
         * Per value, the shapes that want it: a {@link Single} for one shape (the common case, e.g. {@code owner = k}
         * per user, so an idle shape costs one small object here), a map in insertion order for more.
         */
        private final Map<Object, Object> byValue = new HashMap<>();

        private record Single<K>(K shape, WhereClause where) {}

        /** {@code parserSource}: any clause that reads the column; it knows the column's type and parser. */
        ColumnIndex(WhereClause parserSource, int column) {
            this.parserSource = parserSource;
            this.column = column;
        }

        @SuppressWarnings("unchecked")
        void add(Object value, K shape, WhereClause where) {
            Object bucket = byValue.get(value);
            if (bucket == null || bucket instanceof Single<?> s && s.shape().equals(shape)) {
                byValue.put(value, new Single<>(shape, where));
            } else if (bucket instanceof Single<?> s) {
                Map<K, WhereClause> map = new LinkedHashMap<>();
                map.put((K) s.shape(), s.where());
                map.put(shape, where);
                byValue.put(value, map);
            } else {
                ((Map<K, WhereClause>) bucket).put(shape, where);
            }
        }

        /** Removes; true when the index became empty. */
        @SuppressWarnings("unchecked")
        boolean remove(Object value, K shape) {
            Object bucket = byValue.get(value);
            if (bucket instanceof Single<?> s) {
                if (s.shape().equals(shape)) byValue.remove(value);
            } else if (bucket != null) {
                Map<K, WhereClause> map = (Map<K, WhereClause>) bucket;
                map.remove(shape);
                if (map.size() == 1) {
                    Map.Entry<K, WhereClause> last = map.entrySet().iterator().next();
                    byValue.put(value, new Single<>(last.getKey(), last.getValue()));
                }
            }
            return byValue.isEmpty();
        }

        void collectScalar(RowValues row, Set<K> out, BiConsumer<K, RuntimeException> failed) {
            Object key = parserSource.columnKey(column, row);
            if (key != null) verify(byValue.get(key), row, out, failed);
        }

        void collectElements(RowValues row, Set<K> out, BiConsumer<K, RuntimeException> failed) {
            List<Object> keys = parserSource.columnElementKeys(column, row);
            if (keys == null) return;
            for (Object key : keys) verify(byValue.get(key), row, out, failed);
        }

        @SuppressWarnings("unchecked")
        private static <K> void verify(Object bucket, RowValues row, Set<K> out,
                                       BiConsumer<K, RuntimeException> failed) {
            if (bucket == null) return;
            if (bucket instanceof Single<?> s) {
                K shape = (K) s.shape();
                if (!out.contains(shape) && includes(shape, s.where(), row, failed)) out.add(shape);
                return;
            }
            for (Map.Entry<K, WhereClause> e : ((Map<K, WhereClause>) bucket).entrySet()) {
                if (!out.contains(e.getKey()) && includes(e.getKey(), e.getValue(), row, failed)) out.add(e.getKey());
            }
        }
    }
}
