package dev.ampere.where;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * How a where clause can be found through an index instead of being evaluated for every change: a set of
 * alternatives, at least one of which a matching row must hit. Hash keys come from {@code col = const},
 * {@code col IN (consts)}, {@code const = ANY(arraycol)} and {@code arraycol @> consts}; {@link Fragments} come from
 * {@code col LIKE const}, {@code col ILIKE const} and {@code lower(col) LIKE const} on text columns (a matching value
 * contains every literal run of the pattern). Both go through AND (one conjunct suffices; hash keys are preferred,
 * then the longest literal) and OR (every disjunct must be indexable). A hit is only a candidate: the caller still
 * runs the whole compiled predicate, so the plan only has to be complete (never miss a matching row), not exact.
 *
 * <p>Immutable.
 *
 * @param keys      hash-key alternatives
 * @param fragments literal alternatives; {@code keys} and {@code fragments} are never both empty (non-indexable
 *                  clauses have no plan)
 */
public record IndexPlan(List<Key> keys, List<Fragments> fragments) {
    /**
     * One index key: a row hits it when column {@code column} equals {@code value} (scalar columns) or has
     * {@code value} among its elements ({@code arrayElement}). Values are normalised with {@link #normalise}.
     */
    public record Key(int column, boolean arrayElement, Object value) {}

    /**
     * One LIKE alternative: a matching row's value of text column {@code column} contains every one of
     * {@code runs} (the pattern's literal runs, between {@code %} and {@code _}, escapes resolved), so an index may
     * key the shape on any piece of any run. {@code folded}: the runs are to be found in the value with each code
     * point lower-cased by {@link #fold} (ILIKE, {@code lower(col)}); the runs of an ILIKE pattern are folded too.
     * Runs are non-empty strings; the list is non-empty.
     */
    public record Fragments(int column, boolean folded, List<String> runs) {
        /** The length in code points of the longest run. */
        public int longest() {
            int best = 0;
            for (String r : runs) best = Math.max(best, r.codePointCount(0, r.length()));
            return best;
        }
    }

    /** The plan for a clause, or null when it must be evaluated for every change. */
    public static IndexPlan of(WhereClause where) {
        Alternatives a = alternatives(where.expr());
        return a == null ? null : new IndexPlan(List.copyOf(a.keys), List.copyOf(a.fragments));
    }

    /**
     * The case mapping of ILIKE and {@code lower()}: one code point to one code point, {@link Character#toLowerCase(int)},
     * exactly what the matcher compares ({@code TextFns}); an index must fold values with this function.
     */
    public static int fold(int codePoint) {
        return Character.toLowerCase(codePoint);
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

    /** Alternatives under construction: a row matching the expression hits a key or contains a fragment. */
    private record Alternatives(List<Key> keys, List<Fragments> fragments) {
        static Alternatives ofKeys(List<Key> keys) {
            return keys == null ? null : new Alternatives(keys, List.of());
        }

        /** Hash keys first (ties keep the first), then the plan whose weakest fragment is longest. */
        int quality() {
            if (fragments.isEmpty()) return Integer.MAX_VALUE;
            int weakest = Integer.MAX_VALUE;
            for (Fragments f : fragments) weakest = Math.min(weakest, f.longest());
            return weakest;
        }
    }

    private static Alternatives alternatives(Expr e) {
        return switch (e) {
            case Expr.Call c when c.name().equals("=") && c.form() == Expr.Form.INFIX ->
                    Alternatives.ofKeys(equality(c.args().get(0), c.args().get(1)));
            case Expr.Call c when c.name().equals("@>") && c.form() == Expr.Form.INFIX ->
                    Alternatives.ofKeys(contains(c.args().get(0), c.args().get(1)));
            case Expr.InList in when !in.negated() -> Alternatives.ofKeys(inList(in));
            case Expr.AnyAll a when a.op().equals("=") && !a.all() -> Alternatives.ofKeys(anyElement(a.left(), a.array()));
            case Expr.Like l when !l.negated() -> like(l);
            case Expr.And a -> {
                Alternatives best = null;
                for (Expr conjunct : a.args()) {
                    Alternatives k = alternatives(conjunct);
                    if (k != null && (best == null || k.quality() > best.quality())) best = k;
                }
                yield best;
            }
            case Expr.Or o -> {
                List<Key> keys = new ArrayList<>();
                List<Fragments> fragments = new ArrayList<>();
                for (Expr disjunct : o.args()) {
                    Alternatives k = alternatives(disjunct);
                    if (k == null) yield null;
                    keys.addAll(k.keys);
                    fragments.addAll(k.fragments);
                }
                yield new Alternatives(keys, fragments);
            }
            default -> null;
        };
    }

    /**
     * {@code col [I]LIKE const [ESCAPE const]} or {@code lower(col) LIKE const}: the pattern's literal runs, or null
     * when it has none (only {@code %} and {@code _}), or would raise an error (it ends in the escape character, the
     * escape is more than one character): those shapes are evaluated for every change, as before.
     */
    private static Alternatives like(Expr.Like l) {
        boolean ci = l.caseInsensitive();
        Expr.Column col;
        boolean lowered = false;
        if (l.arg() instanceof Expr.Column c) {
            col = c;
        } else if (!ci && l.arg() instanceof Expr.Call call && call.name().equals("lower")
                && call.form() == Expr.Form.FUNCTION && call.args().size() == 1
                && call.args().get(0) instanceof Expr.Column c) {
            col = c;
            lowered = true;
        } else {
            return null;
        }
        if (col.type().array() || col.type().base() != SqlType.Base.TEXT) return null;
        if (!(l.pattern() instanceof Expr.Const p) || !(p.value() instanceof String pattern)) return null;
        int escape = '\\';
        if (l.escape() != null) {
            if (!(l.escape() instanceof Expr.Const e) || !(e.value() instanceof String es)) return null;
            if (es.isEmpty()) {
                escape = -1;
            } else if (es.codePointCount(0, es.length()) == 1) {
                escape = es.codePointAt(0);
            } else {
                return null;
            }
        }
        List<String> runs = literalRuns(pattern, escape, ci);
        if (runs == null || runs.isEmpty()) return null;
        return new Alternatives(List.of(), List.of(new Fragments(col.index(), ci || lowered, List.copyOf(runs))));
    }

    /**
     * The runs of literal characters of a LIKE pattern, read as the matcher reads it ({@code TextFns.match}): the
     * escape character comes first and makes the next code point literal, then {@code %} and {@code _} are
     * wildcards. Null when the pattern ends in the escape character. {@code fold}: each code point folded.
     */
    static List<String> literalRuns(String pattern, int escape, boolean fold) {
        List<String> runs = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        for (int i = 0; i < pattern.length(); ) {
            int c = pattern.codePointAt(i);
            i += Character.charCount(c);
            if (c == escape) {
                if (i >= pattern.length()) return null;
                c = pattern.codePointAt(i);
                i += Character.charCount(c);
            } else if (c == '%' || c == '_') {
                if (!run.isEmpty()) runs.add(run.toString());
                run.setLength(0);
                continue;
            }
            run.appendCodePoint(fold ? fold(c) : c);
        }
        if (!run.isEmpty()) runs.add(run.toString());
        return runs;
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
