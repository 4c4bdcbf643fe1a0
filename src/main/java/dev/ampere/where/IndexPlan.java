package dev.ampere.where;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * How a where clause can be found through a hash index instead of being evaluated for every change: a set of
 * alternative keys, at least one of which a matching row must hit. Derived from {@code col = const},
 * {@code col IN (consts)}, {@code const = ANY(arraycol)} and {@code arraycol @> consts}, through AND (one conjunct
 * suffices) and OR (every disjunct must be indexable). A hit is only a candidate: the caller still runs the whole
 * compiled predicate, so the plan only has to be complete (never miss a matching row), not exact.
 *
 * <p>Immutable.
 *
 * @param keys alternatives; empty list never happens (non-indexable clauses have no plan)
 */
public record IndexPlan(List<Key> keys) {
    /**
     * One index key: a row hits it when column {@code column} equals {@code value} (scalar columns) or has
     * {@code value} among its elements ({@code arrayElement}). Values are normalised with {@link #normalise}.
     */
    public record Key(int column, boolean arrayElement, Object value) {}

    /** The plan for a clause, or null when it must be evaluated for every change. */
    public static IndexPlan of(WhereClause where) {
        List<Key> keys = keys(where.expr());
        return keys == null ? null : new IndexPlan(List.copyOf(keys));
    }

    /** The value as a hash key with Postgres equality: numerics ignore trailing zeros. */
    public static Object normalise(Object v) {
        if (v instanceof BigDecimal d) return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
        return v;
    }

    /** Whether equality of this type is plain value equality of its Java representation (no NaN, no -0, no spans). */
    static boolean indexable(SqlType t) {
        return switch (t.base()) {
            case INT2, INT4, INT8, NUMERIC, TEXT, ENUM, UUID, DATE, TIME, TIMESTAMP, TIMESTAMPTZ, BOOL -> true;
            default -> false;
        };
    }

    private static List<Key> keys(Expr e) {
        return switch (e) {
            case Expr.Call c when c.name().equals("=") && c.form() == Expr.Form.INFIX -> equality(c.args().get(0), c.args().get(1));
            case Expr.Call c when c.name().equals("@>") && c.form() == Expr.Form.INFIX -> contains(c.args().get(0), c.args().get(1));
            case Expr.InList in when !in.negated() -> inList(in);
            case Expr.AnyAll a when a.op().equals("=") && !a.all() -> anyElement(a.left(), a.array());
            case Expr.And a -> {
                for (Expr conjunct : a.args()) {
                    List<Key> k = keys(conjunct);
                    if (k != null) yield k;
                }
                yield null;
            }
            case Expr.Or o -> {
                List<Key> all = new ArrayList<>();
                for (Expr disjunct : o.args()) {
                    List<Key> k = keys(disjunct);
                    if (k == null) yield null;
                    all.addAll(k);
                }
                yield all;
            }
            default -> null;
        };
    }

    private static List<Key> equality(Expr l, Expr r) {
        if (l instanceof Expr.Const && r instanceof Expr.Column) return equality(r, l);
        if (l instanceof Expr.Column col && r instanceof Expr.Const k && k.value() != null
                && !col.type().array() && col.type().equals(k.type()) && indexable(col.type())) {
            return List.of(new Key(col.index(), false, normalise(k.value())));
        }
        return null;
    }

    private static List<Key> inList(Expr.InList in) {
        if (!(in.arg() instanceof Expr.Column col) || col.type().array() || !indexable(col.type())) return null;
        List<Key> keys = new ArrayList<>();
        for (Expr item : in.items()) {
            if (!(item instanceof Expr.Const k) || !k.type().equals(col.type())) return null;
            if (k.value() != null) keys.add(new Key(col.index(), false, normalise(k.value())));
        }
        return keys.isEmpty() ? null : keys;
    }

    private static List<Key> anyElement(Expr left, Expr array) {
        if (left instanceof Expr.Const k && k.value() != null && array instanceof Expr.Column col
                && col.type().array() && col.type().element().equals(k.type()) && indexable(k.type())) {
            return List.of(new Key(col.index(), true, normalise(k.value())));
        }
        return null;
    }

    private static List<Key> contains(Expr l, Expr r) {
        if (l instanceof Expr.Column col && r instanceof Expr.Const k && k.value() instanceof PgArray a
                && a.size() > 0 && indexable(col.type().element())) {
            Object first = a.items()[0];
            return first == null ? null : List.of(new Key(col.index(), true, normalise(first)));
        }
        return null;
    }
}
