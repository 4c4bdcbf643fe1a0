package dev.ampere.where;

import java.util.Collection;
import java.util.List;

/**
 * The current values of a where clause's sub-selects, numbered as {@link WhereClause#subqueries()}: what
 * {@code x IN (SELECT ...)} is evaluated against. Keys are lists with one hash key per selected column
 * ({@link Subquery#key}), null for NULL. The shape that owns the values implements this; the where clause only reads.
 *
 * <p>Membership follows SQL: {@code k IN S} is FALSE for an empty S, TRUE when S holds k, and otherwise NULL when a
 * NULL on either side could have compared equal, FALSE when not ({@link #member}).
 */
public interface SubqueryValues {
    /** Whether sub-select {@code subquery} currently yields exactly {@code key} (a key without NULLs). */
    boolean contains(int subquery, List<Object> key);

    /** Whether it currently yields no row. */
    boolean isEmpty(int subquery);

    /** Whether any value it currently yields has a NULL part. */
    boolean hasNulls(int subquery);

    /** Every distinct value it currently yields (read only when NULLs take part in a comparison). */
    Collection<List<Object>> values(int subquery);

    /** A value as a hash key: numerics without trailing zeros, -0.0 as 0.0, as {@link IndexPlan#normalise}. */
    static Object normalise(Object v) {
        if (v instanceof Double d && d == 0.0) return 0.0d;
        if (v instanceof Float f && f == 0.0f) return 0.0f;
        return IndexPlan.normalise(v);
    }

    /** {@code key IN S}, three-valued (null for SQL NULL). */
    static Boolean member(SubqueryValues values, int subquery, List<Object> key) {
        if (values.isEmpty(subquery)) return Boolean.FALSE;
        boolean keyHasNull = key.contains(null);
        if (!keyHasNull && values.contains(subquery, key)) return Boolean.TRUE;
        if (!keyHasNull && !values.hasNulls(subquery)) return Boolean.FALSE;
        Boolean result = Boolean.FALSE;
        for (List<Object> v : values.values(subquery)) {
            Boolean eq = Boolean.TRUE;
            for (int i = 0; i < key.size() && eq != Boolean.FALSE; i++) {
                Object a = key.get(i), b = v.get(i);
                if (a == null || b == null) eq = null;
                else if (!a.equals(b)) eq = Boolean.FALSE;
            }
            if (eq == Boolean.TRUE) return Boolean.TRUE;
            if (eq == null) result = null;
        }
        return result;
    }
}
