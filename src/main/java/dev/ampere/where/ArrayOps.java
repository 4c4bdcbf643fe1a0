package dev.ampere.where;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Postgres array functions and operators on {@link PgArray}: ordering ({@code array_cmp}: elements first, NULL
 * elements greater, then element count, dimensions and lower bounds), containment {@code @>}/{@code <@} and
 * overlap {@code &&} (NULL elements never match), concatenation, subscripts and slices.
 *
 * <p>Stateless.
 */
final class ArrayOps {
    private ArrayOps() {}

    static int compare(PgArray a, PgArray b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            Object x = a.items()[i], y = b.items()[i];
            if (x == null && y == null) continue;
            if (x == null) return 1;
            if (y == null) return -1;
            int c = Values.compare(x, y);
            if (c != 0) return c;
        }
        if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
        if (a.ndims() != b.ndims()) return a.ndims() < b.ndims() ? -1 : 1;
        for (int d = 0; d < a.ndims(); d++) {
            if (a.dims()[d] != b.dims()[d]) return a.dims()[d] < b.dims()[d] ? -1 : 1;
        }
        for (int d = 0; d < a.ndims(); d++) {
            if (a.lowerBounds()[d] != b.lowerBounds()[d]) return a.lowerBounds()[d] < b.lowerBounds()[d] ? -1 : 1;
        }
        return 0;
    }

    /** {@code a @> b}: every element of b is in a; a NULL in b is never contained. */
    static boolean contains(PgArray a, PgArray b) {
        Membership in = membership(a, b);
        for (Object y : b.items()) {
            if (y == null || !in.has(y)) return false;
        }
        return true;
    }

    static boolean overlaps(PgArray a, PgArray b) {
        Membership in = membership(a, b);
        for (Object y : b.items()) {
            if (y != null && in.has(y)) return true;
        }
        return false;
    }

    /** Above this many element pairs, membership goes through a hash set when the element type allows it. */
    private static final long HASH_ABOVE = 1024;

    private interface Membership {
        boolean has(Object y);
    }

    /**
     * Membership in {@code a} for the elements of {@code b}: a hash set of normalised elements when the arrays are
     * large and equality of their elements is plain value equality (so the whole test is O(|a| + |b|)); otherwise
     * a scan of {@code a} per element, whose comparisons are charged to the {@link EvalBudget}.
     */
    private static Membership membership(PgArray a, PgArray b) {
        Object[] xs = a.items();
        if ((long) xs.length * b.items().length > HASH_ABOVE && hashable(xs) && hashable(b.items())) {
            java.util.Set<Object> set = new java.util.HashSet<>(xs.length * 2);
            for (Object x : xs) if (x != null) set.add(IndexPlan.normalise(x));
            if (xs.length + b.items().length >= EvalBudget.SMALL) EvalBudget.charge(xs.length + b.items().length);
            return y -> set.contains(IndexPlan.normalise(y));
        }
        return y -> {
            if (xs.length >= EvalBudget.SMALL) EvalBudget.charge(xs.length);
            for (Object x : xs) {
                if (x != null && Values.compare(x, y) == 0) return true;
            }
            return false;
        };
    }

    /** Whether every element's equality is the equality of its normalised Java value (no NaN, -0 or spans). */
    private static boolean hashable(Object[] items) {
        for (Object x : items) {
            if (x != null && !(x instanceof Long || x instanceof String || x instanceof java.math.BigDecimal
                    || x instanceof Boolean || x instanceof java.util.UUID || x instanceof java.time.LocalDate
                    || x instanceof java.time.LocalDateTime || x instanceof java.time.Instant
                    || x instanceof java.time.LocalTime)) {
                return false;
            }
        }
        return true;
    }

    static PgArray concat(PgArray a, PgArray b) {
        if (a.size() == 0) return b;
        if (b.size() == 0) return a;
        if (a.ndims() == b.ndims()) {
            if (!Arrays.equals(a.dims(), 1, a.ndims(), b.dims(), 1, b.ndims())) throw incompatible();
            int[] dims = a.dims().clone();
            dims[0] += b.dims()[0];
            return new PgArray(dims, a.lowerBounds().clone(), join(a.items(), b.items()));
        }
        if (a.ndims() == b.ndims() + 1 && Arrays.equals(a.dims(), 1, a.ndims(), b.dims(), 0, b.ndims())) {
            int[] dims = a.dims().clone();
            dims[0]++;
            return new PgArray(dims, a.lowerBounds().clone(), join(a.items(), b.items()));
        }
        if (b.ndims() == a.ndims() + 1 && Arrays.equals(b.dims(), 1, b.ndims(), a.dims(), 0, a.ndims())) {
            int[] dims = b.dims().clone();
            dims[0]++;
            int[] lbs = b.lowerBounds().clone();
            lbs[0]--;
            return new PgArray(dims, lbs, join(a.items(), b.items()));
        }
        throw incompatible();
    }

    private static EvalException incompatible() {
        return new EvalException("cannot concatenate incompatible arrays");
    }

    private static Object[] join(Object[] x, Object[] y) {
        Object[] r = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, r, x.length, y.length);
        return r;
    }

    /** {@code array_cat} / {@code array || array}: not strict, a NULL side is ignored. */
    static Object concatNullable(Object a, Object b) {
        if (a == null) return b;
        if (b == null) return a;
        return concat((PgArray) a, (PgArray) b);
    }

    static PgArray append(PgArray a, Object e) {
        if (a == null || a.size() == 0) return PgArray.oneDim(Arrays.asList(e));
        if (a.ndims() != 1) throw new EvalException("argument must be empty or one-dimensional array");
        return new PgArray(new int[]{a.size() + 1}, a.lowerBounds().clone(), join(a.items(), new Object[]{e}));
    }

    static PgArray prepend(Object e, PgArray a) {
        if (a == null || a.size() == 0) return PgArray.oneDim(Arrays.asList(e));
        if (a.ndims() != 1) throw new EvalException("argument must be empty or one-dimensional array");
        return new PgArray(new int[]{a.size() + 1}, new int[]{a.lowerBounds()[0] - 1}, join(new Object[]{e}, a.items()));
    }

    static Object ndims(PgArray a) {
        return a.ndims() == 0 ? null : Long.valueOf(a.ndims());
    }

    static Object length(PgArray a, long dim) {
        if (dim < 1 || dim > a.ndims()) return null;
        return Long.valueOf(a.dims()[(int) dim - 1]);
    }

    /** {@code a[i][j]...}: NULL when the count differs from the dimensions or any index is out of range. */
    static Object element(PgArray a, long[] idx) {
        if (idx.length != a.ndims()) return null;
        int offset = 0;
        for (int d = 0; d < idx.length; d++) {
            long k = idx[d] - a.lowerBounds()[d];
            if (k < 0 || k >= a.dims()[d]) return null;
            offset = offset * a.dims()[d] + (int) k;
        }
        return a.items()[offset];
    }

    /** {@code a[l:u]...}; null bounds mean the array's own bounds; missing dimensions are taken whole. */
    static PgArray slice(PgArray a, Long[] lower, Long[] upper) {
        if (a.ndims() == 0 || lower.length > a.ndims()) return PgArray.EMPTY;
        int n = a.ndims();
        int[] from = new int[n], to = new int[n];
        for (int d = 0; d < n; d++) {
            int lb = a.lowerBounds()[d], ub = lb + a.dims()[d] - 1;
            long l = d < lower.length && lower[d] != null ? lower[d] : lb;
            long u = d < upper.length && upper[d] != null ? upper[d] : ub;
            l = Math.max(l, lb);
            u = Math.min(u, ub);
            if (l > u) return PgArray.EMPTY;
            from[d] = (int) (l - lb);
            to[d] = (int) (u - lb);
        }
        int[] dims = new int[n];
        for (int d = 0; d < n; d++) dims[d] = to[d] - from[d] + 1;
        List<Object> out = new ArrayList<>();
        collect(a, 0, 0, from, to, out);
        int[] lbs = new int[n];
        Arrays.fill(lbs, 1);
        return new PgArray(dims, lbs, out.toArray());
    }

    private static void collect(PgArray a, int d, int base, int[] from, int[] to, List<Object> out) {
        for (int k = from[d]; k <= to[d]; k++) {
            int offset = base * a.dims()[d] + k;
            if (d + 1 == a.ndims()) out.add(a.items()[offset]);
            else collect(a, d + 1, offset, from, to, out);
        }
    }
}
