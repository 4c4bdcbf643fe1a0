package dev.ampere.where;

import java.util.ArrayList;
import java.util.List;

/**
 * Evaluation rules shared by the {@link Interpreter} and the {@link Compiler}: three-valued logic, IN, ANY/ALL,
 * COALESCE/GREATEST/LEAST/NULLIF, concat, LIKE with ESCAPE, array construction and subscripts. Values are already
 * computed by the caller; SQL NULL is Java null.
 *
 * <p>Stateless.
 */
final class Semantics {
    private Semantics() {}

    static Object callStrict(Object fn, Object[] args) {
        for (Object a : args) if (a == null) return null;
        return switch (fn) {
            case Fn.F1 f -> f.apply(args[0]);
            case Fn.F2 f -> f.apply(args[0], args[1]);
            case Fn.FN f -> f.apply(args);
            default -> throw new IllegalStateException("not a function: " + fn);
        };
    }

    static Object isBool(Object v, Boolean value, boolean negated) {
        boolean r = value == null ? v == null : value.equals(v);
        return r != negated;
    }

    static Object distinct(Object a, Object b, Fn.F2 eq, boolean negated) {
        boolean distinct;
        if (a == null || b == null) distinct = (a == null) != (b == null);
        else distinct = !Boolean.TRUE.equals(eq.apply(a, b));
        return distinct != negated;
    }

    /** {@code a = item1 OR a = item2 ...}, three-valued; {@code items} may contain nulls. */
    static Object in(Object a, Object[] items, Fn.F2 eq, boolean negated) {
        if (a == null) return null;
        boolean sawNull = false;
        for (Object item : items) {
            if (item == null) { sawNull = true; continue; }
            if (Boolean.TRUE.equals(eq.apply(a, item))) return !negated;
        }
        return sawNull ? null : negated;
    }

    static Object anyAll(Object a, PgArray array, Fn.F2 fn, boolean all) {
        if (array == null) return null;
        if (array.size() == 0) return all;
        if (a == null) return null;
        boolean sawNull = false;
        for (Object e : array.items()) {
            Object r = e == null ? null : fn.apply(a, e);
            if (r == null) { sawNull = true; continue; }
            if ((Boolean) r != all) return !all;
        }
        return sawNull ? null : all;
    }

    static Object special(String name, Object[] args, Fn.F2 less, Fn.F2 eq) {
        switch (name) {
            case "coalesce" -> {
                for (Object a : args) if (a != null) return a;
                return null;
            }
            case "nullif" -> {
                if (args[0] == null) return null;
                if (args[1] != null && Boolean.TRUE.equals(eq.apply(args[0], args[1]))) return null;
                return args[0];
            }
            default -> {
                boolean greatest = name.equals("greatest");
                Object best = null;
                for (Object a : args) {
                    if (a == null) continue;
                    if (best == null || Boolean.TRUE.equals(greatest ? less.apply(best, a) : less.apply(a, best))) best = a;
                }
                return best;
            }
        }
    }

    static Object concat(Object[] values, SqlType[] types) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) if (values[i] != null) sb.append(Values.format(types[i], values[i]));
        return sb.toString();
    }

    static Object callNonStrict(Object fn, Object[] args) {
        return switch (fn) {
            case Fn.F1 f -> f.apply(args[0]);
            case Fn.F2 f -> f.apply(args[0], args[1]);
            case Fn.FN f -> f.apply(args);
            default -> throw new IllegalStateException("not a function: " + fn);
        };
    }

    static Object like(Object s, Object pattern, Object escape, boolean ci, boolean negated, boolean hasEscape) {
        if (s == null || pattern == null || (hasEscape && escape == null)) return null;
        int esc = hasEscape ? TextFns.escapeChar((String) escape) : '\\';
        boolean m = ci ? TextFns.ilike((String) s, (String) pattern, esc) : TextFns.like((String) s, (String) pattern, esc);
        return m != negated;
    }

    static Object arrayCtor(Object[] elements, boolean nested) {
        if (!nested) return PgArray.oneDim(java.util.Arrays.asList(elements));
        PgArray first = null;
        List<Object> items = new ArrayList<>();
        for (Object e : elements) {
            if (e == null) throw new EvalException("multidimensional arrays must have array expressions with matching dimensions");
            PgArray sub = (PgArray) e;
            if (first == null) first = sub;
            else if (!java.util.Arrays.equals(first.dims(), sub.dims())) {
                throw new EvalException("multidimensional arrays must have array expressions with matching dimensions");
            }
            items.addAll(java.util.Arrays.asList(sub.items()));
        }
        if (first == null || first.size() == 0) return PgArray.EMPTY;
        int[] dims = new int[first.ndims() + 1];
        dims[0] = elements.length;
        System.arraycopy(first.dims(), 0, dims, 1, first.ndims());
        int[] lbs = new int[dims.length];
        java.util.Arrays.fill(lbs, 1);
        return new PgArray(dims, lbs, items.toArray());
    }

    static Object subscript(Object array, Object[] lower, Object[] upper, boolean slice, boolean[] lowerGiven, boolean[] upperGiven) {
        if (array == null) return null;
        PgArray a = (PgArray) array;
        if (!slice) {
            long[] idx = new long[upper.length];
            for (int i = 0; i < idx.length; i++) {
                if (upper[i] == null) return null;
                idx[i] = (Long) upper[i];
            }
            return ArrayOps.element(a, idx);
        }
        Long[] lo = new Long[lower.length], hi = new Long[upper.length];
        for (int i = 0; i < lo.length; i++) {
            if ((lowerGiven[i] && lower[i] == null) || (upperGiven[i] && upper[i] == null)) return null;
            lo[i] = (Long) lower[i];
            hi[i] = (Long) upper[i];
        }
        return ArrayOps.slice(a, lo, hi);
    }
}
