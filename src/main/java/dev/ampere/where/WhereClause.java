package dev.ampere.where;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ampere.postgres.TableInfo;

/**
 * A shape's where clause, parsed, type-checked against its table and compiled once (docs/protocol.md §2.1, §2.2):
 * the entry point of the where-clause engine. {@link #includes(RowValues)} is the hot-path predicate (NULL and
 * false mean "not matched"; an evaluation error, or an evaluation over its cost budget, throws); {@link #toSql()} is the regenerated, canonical SQL for the
 * snapshot query and for deduplicating shape definitions.
 *
 * <p>Immutable and thread-safe once built; {@link #parse} may be called from any thread.
 */
public final class WhereClause {
    private static final Logger LOG = LoggerFactory.getLogger(WhereClause.class);
    private final String text;
    private final Expr expr;
    private final Compiler.Node compiled;
    /** Whether the clause holds an operator that charges the {@link EvalBudget}, so evaluations must open one. */
    private final boolean budgeted;
    private final int[] columns;
    private final Map<Integer, SqlType> columnTypes;
    /** The clause's sub-selects ({@link Expr.InSubquery#index()}); empty for most clauses. */
    private final List<Subquery> subqueries;

    private WhereClause(String text, Expr expr) {
        this(text, expr, List.of());
    }

    private WhereClause(String text, Expr expr, List<Subquery> subqueries) {
        this.text = text;
        this.expr = expr;
        this.subqueries = List.copyOf(subqueries);
        this.compiled = Compiler.compile(expr);
        this.budgeted = charges(expr);
        this.columns = collectColumns(expr);
        Map<Integer, SqlType> types = new java.util.HashMap<>();
        collectTypes(expr, types);
        this.columnTypes = Map.copyOf(types); // compact and immutable: it lives as long as the shape
    }

    private static void collectTypes(Expr e, Map<Integer, SqlType> out) {
        if (e instanceof Expr.Column c) out.put(c.index(), c.type());
        for (Expr child : children(e)) if (child != null) collectTypes(child, out);
    }

    /**
     * Parses, type-checks and compiles {@code text} for {@code table}. {@code params} holds the values of
     * {@code $1..$n} (keys "1".."n"; may be empty).
     *
     * @throws WhereClauseException with Electric's message and location when the clause or params are invalid
     */
    public static WhereClause parse(String text, TableInfo table, Map<String, String> params) {
        return parse(text, table, params, null);
    }

    /**
     * As {@link #parse(String, TableInfo, Map)}, also reading Electric's sub-selects
     * ({@code x [NOT] IN (SELECT cols FROM t [WHERE ...])}, docs/protocol.md "Sub-selects"), whose tables
     * {@code resolver} finds; with a null resolver they are refused with {@code subqueries are not supported}.
     *
     * @throws TableResolver.Unavailable when the resolver could not read a table's metadata
     */
    public static WhereClause parse(String text, TableInfo table, Map<String, String> params, TableResolver resolver) {
        Map<String, String> p = params == null ? Map.of() : params;
        try {
            return parseChecked(text, table, p, resolver);
        } catch (WhereClauseException | TableResolver.Unavailable e) {
            throw e;
        } catch (RuntimeException e) {
            // A bug of ours must still give the client a 400, never a 500 it would retry forever.
            LOG.warn("Unexpected failure interpreting where clause {}", text, e);
            throw WhereClauseException.plain("could not interpret the where clause");
        }
    }

    private static WhereClause parseChecked(String text, TableInfo table, Map<String, String> params,
                                            TableResolver resolver) {
        // Constant folding evaluates: a constant sub-expression over its budget is the client's error (400).
        long[] budget = EvalBudget.open(EvalBudget.STEPS);
        try {
            return parseBudgeted(text, table, params, resolver);
        } finally {
            EvalBudget.close(budget);
        }
    }

    private static WhereClause parseBudgeted(String text, TableInfo table, Map<String, String> params,
                                             TableResolver resolver) {
        validateParams(params);
        Ast ast = Parser.parse(text);
        Binder binder = new Binder(text, table, params, resolver);
        Expr expr = Simplifier.simplify(binder.settle(binder.bind(ast), 0));
        if (!expr.type().equals(SqlType.BOOL)) throw WhereClauseException.plain("WHERE clause must return a boolean");
        for (String key : params.keySet()) {
            if (!binder.paramTypes().containsKey(Integer.parseInt(key))) {
                throw new WhereClauseException("parameter value for $" + key + " was not used", 0);
            }
        }
        List<Subquery> subqueries = binder.subqueries();
        if (!subqueries.isEmpty()) {
            long disjuncts = disjuncts(expr, true);
            if (disjuncts > MAX_DISJUNCTS) {
                throw WhereClauseException.plain("WHERE clause too complex for DNF decomposition (" + disjuncts
                        + " disjuncts exceeds limit of " + MAX_DISJUNCTS + ")");
            }
        }
        return new WhereClause(text, expr, subqueries);
    }

    /** The most disjuncts a clause with sub-selects may have in disjunctive normal form, as Electric allows. */
    static final int MAX_DISJUNCTS = 100;

    /** How many disjuncts the clause has in disjunctive normal form (NOT pushed down), without expanding it. */
    private static long disjuncts(Expr e, boolean positive) {
        return switch (e) {
            case Expr.Not n -> disjuncts(n.arg(), !positive);
            case Expr.And a -> positive ? product(a.args(), true) : sum(a.args(), false);
            case Expr.Or o -> positive ? sum(o.args(), true) : product(o.args(), false);
            default -> 1;
        };
    }

    private static long sum(List<Expr> args, boolean positive) {
        long n = 0;
        for (Expr a : args) n = Math.min(Long.MAX_VALUE / 2, n + disjuncts(a, positive));
        return n;
    }

    private static long product(List<Expr> args, boolean positive) {
        long n = 1;
        for (Expr a : args) n = Math.min(1L << 40, n * disjuncts(a, positive));
        return n;
    }

    /** A sub-select's bound where clause (its text is the regenerated SQL). */
    static WhereClause bound(Expr expr, List<Subquery> subqueries) {
        return new WhereClause(SqlRenderer.render(expr), expr, subqueries);
    }

    /** The clause's distinct sub-selects, numbered as {@link SubqueryValues} numbers them; empty for most clauses. */
    public List<Subquery> subqueries() {
        return subqueries;
    }

    public boolean hasSubqueries() {
        return !subqueries.isEmpty();
    }

    /**
     * A clause without sub-selects that every row satisfying this one satisfies too, for routing changes to the
     * shape without the sub-selects' values: each {@code IN (SELECT ...)} condition becomes TRUE where it counts
     * positively and FALSE under an odd number of NOTs (sub-selects only appear combined with AND, OR and NOT, which
     * are monotone). Null when that admits every row; this clause itself when it has no sub-selects.
     */
    public WhereClause routingClause() {
        return routingClause(null, 0);
    }

    /**
     * As {@link #routingClause()}, but narrowed to the sub-selects' current values: a positive single-column
     * {@code x IN (SELECT ...)} becomes {@code x IN (v1, v2, ...)}, which the filter index looks up by value, so a
     * change of the shape's table reaches the shape only when it can match (docs/architecture.md, routing). Exact
     * only while the values stay as they are; a sub-select with more than {@code maxValues} values, a composite one and
     * a negated one are relaxed as by {@link #routingClause()}; null {@code values} relaxes every one.
     */
    public WhereClause routingClause(SubqueryValues values, int maxValues) {
        if (subqueries.isEmpty()) return this;
        Expr routed = Simplifier.simplify(narrow(expr, true, values, maxValues));
        if (routed instanceof Expr.Const c && Boolean.TRUE.equals(c.value())) return null;
        return new WhereClause(text, routed);
    }

    private static Expr narrow(Expr e, boolean positive, SubqueryValues values, int maxValues) {
        return switch (e) {
            case Expr.InSubquery in -> {
                if (values == null || !positive || in.negated() || in.args().size() != 1
                        || values.values(in.index()).size() > maxValues) {
                    yield new Expr.Const(positive, SqlType.BOOL, 0);
                }
                Expr arg = in.args().getFirst();
                List<Expr> items = new ArrayList<>();
                for (List<Object> v : values.values(in.index())) {
                    if (v.getFirst() != null) items.add(new Expr.Const(v.getFirst(), arg.type(), 0));
                }
                if (items.isEmpty()) yield new Expr.Const(false, SqlType.BOOL, 0);
                Operators.Binary eq = Operators.binary("=", arg.type(), arg.type());
                yield new Expr.InList(arg, List.copyOf(items), eq.fn(), false);
            }
            case Expr.Not n -> new Expr.Not(narrow(n.arg(), !positive, values, maxValues));
            case Expr.And a -> new Expr.And(a.args().stream().map(x -> narrow(x, positive, values, maxValues)).toList());
            case Expr.Or o -> new Expr.Or(o.args().stream().map(x -> narrow(x, positive, values, maxValues)).toList());
            default -> e;
        };
    }

    /**
     * As {@link #includes(RowValues)} for a clause with sub-selects, whose current values {@code values} holds.
     *
     * @throws EvalException where Postgres would raise an error for this row, or over the evaluation budget
     */
    public boolean includes(RowValues row, SubqueryValues values) {
        return evaluate(row, values) == Boolean.TRUE;
    }

    /** As {@link #evaluate(RowValues)} for a clause with sub-selects, whose current values {@code values} holds. */
    public Boolean evaluate(RowValues row, SubqueryValues values) {
        return evaluate(new SubqueryRow(row, values));
    }

    /** Checks the params map alone (§2.2): numeric keys, numbered 1..n without gaps. */
    public static void validateParams(Map<String, String> params) {
        Set<Integer> keys = new TreeSet<>();
        for (String k : params.keySet()) {
            if (k.isEmpty() || !k.chars().allMatch(c -> c >= '0' && c <= '9') || k.length() > 9) {
                throw WhereClauseException.params("Parameters can only use numbers as keys");
            }
            keys.add(Integer.parseInt(k));
        }
        int expected = 1;
        for (int k : keys) {
            if (k != expected++) throw WhereClauseException.params("Parameters must be numbered sequentially, starting from 1");
        }
    }

    /**
     * The hot-path predicate: true when the row satisfies the clause, false for false and NULL. One evaluation
     * has a budget of {@link #EVALUATION_STEPS} comparisons in the operators whose cost grows with their inputs.
     *
     * @throws EvalException where Postgres would raise an error for this row, and when the evaluation goes over
     *                       its budget ({@link #isBudgetExceeded})
     */
    public boolean includes(RowValues row) {
        if (!budgeted) return compiled.eval(row) == Boolean.TRUE;
        long[] budget = EvalBudget.open(EvalBudget.STEPS);
        try {
            return compiled.eval(row) == Boolean.TRUE;
        } finally {
            EvalBudget.close(budget);
        }
    }

    /** Comparisons one evaluation may make in LIKE, ILIKE and array containment before it fails. */
    public static final long EVALUATION_STEPS = EvalBudget.STEPS;

    /** Whether an evaluation failed because it went over its budget rather than where Postgres would fail. */
    public static boolean isBudgetExceeded(RuntimeException e) {
        return e instanceof EvalBudget.CostExceeded;
    }

    /** As {@link #includes}, but NULL, false and evaluation errors (and a spent budget) are all false. */
    public boolean matches(RowValues row) {
        try {
            return includes(row);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Three-valued result with the compiled predicate: TRUE, FALSE or null for SQL NULL.
     *
     * @throws EvalException where Postgres would raise an error for this row, or over the evaluation budget
     */
    public Boolean evaluate(RowValues row) {
        long[] budget = EvalBudget.open(EvalBudget.STEPS);
        try {
            return (Boolean) compiled.eval(row);
        } finally {
            EvalBudget.close(budget);
        }
    }

    /** As {@link #evaluate} but by walking the tree (reference implementation, for benchmarks and tests). */
    public Boolean interpret(RowValues row) {
        long[] budget = EvalBudget.open(EvalBudget.STEPS);
        try {
            return (Boolean) Interpreter.eval(expr, row);
        } finally {
            EvalBudget.close(budget);
        }
    }

    /**
     * Regenerated SQL, safe to paste into {@code WHERE}; also the canonical form for deduplication. Rendered from the
     * tree on each call rather than kept: a clause lives as long as its shape, and the text is short.
     */
    public String toSql() {
        return SqlRenderer.render(expr);
    }

    /**
     * The clause as SQL with its {@code $n} parameters as JDBC placeholders, for queries that bind user values
     * instead of inlining them (subset snapshots, docs/protocol.md §1.11).
     */
    public BoundSql toBoundSql() {
        List<String> values = new ArrayList<>();
        String bound = SqlRenderer.renderBound(expr, values);
        return new BoundSql(bound, values);
    }

    /** The canonical form: equal for definitions that differ only in whitespace, case of keywords or parentheses. */
    public String canonical() {
        return SqlRenderer.render(expr);
    }

    /** The text the user sent. */
    public String text() {
        return text;
    }

    /** Positions (in {@code TableInfo.columns()}) of the columns the clause reads, ascending. */
    public int[] referencedColumns() {
        return columns.clone();
    }

    /**
     * The row's value of a referenced column as a hash key ({@link IndexPlan#normalise}), or null when NULL or
     * unparsable. Used by the shape filter index.
     */
    public Object columnKey(int column, RowValues row) {
        String s = row.text(column);
        SqlType type = columnTypes.get(column);
        if (s == null || type == null) return null;
        try {
            return IndexPlan.normalise(Values.parse(type, s));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The distinct non-null elements of a referenced array column as hash keys, or null. */
    public List<Object> columnElementKeys(int column, RowValues row) {
        Object v = columnKey(column, row);
        if (!(v instanceof PgArray a)) return null;
        Set<Object> keys = new java.util.LinkedHashSet<>();
        for (Object e : a.items()) if (e != null) keys.add(IndexPlan.normalise(e));
        return List.copyOf(keys);
    }

    Expr expr() {
        return expr;
    }

    @Override
    public String toString() {
        return SqlRenderer.render(expr);
    }

    /** Conservatively: LIKE in any form, containment and overlap, and ANY/ALL (whose operator may be either). */
    private static boolean charges(Expr e) {
        boolean here = switch (e) {
            case Expr.Like l -> true;
            case Expr.AnyAll a -> true;
            case Expr.Call c -> switch (c.name().toLowerCase(java.util.Locale.ROOT)) {
                case "~~", "!~~", "~~*", "!~~*", "like", "ilike", "@>", "<@", "&&" -> true;
                default -> false;
            };
            default -> false;
        };
        if (here) return true;
        for (Expr child : children(e)) if (child != null && charges(child)) return true;
        return false;
    }

    private static int[] collectColumns(Expr e) {
        Set<Integer> out = new TreeSet<>();
        collect(e, out);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void collect(Expr e, Set<Integer> out) {
        if (e == null) return;
        switch (e) {
            case Expr.Column c -> out.add(c.index());
            case Expr.Const c -> { }
            default -> {
                for (Expr child : children(e)) collect(child, out);
            }
        }
    }

    static List<Expr> children(Expr e) {
        List<Expr> out = new ArrayList<>();
        switch (e) {
            case Expr.Const c -> { }
            case Expr.Column c -> { }
            case Expr.Call c -> out.addAll(c.args());
            case Expr.Cast c -> out.add(c.arg());
            case Expr.TextOut t -> out.add(t.arg());
            case Expr.And a -> out.addAll(a.args());
            case Expr.Or o -> out.addAll(o.args());
            case Expr.Not n -> out.add(n.arg());
            case Expr.IsNull n -> out.add(n.arg());
            case Expr.IsBool b -> out.add(b.arg());
            case Expr.Distinct d -> { out.add(d.left()); out.add(d.right()); }
            case Expr.InList in -> { out.add(in.arg()); out.addAll(in.items()); }
            case Expr.InSubquery in -> out.addAll(in.args());
            case Expr.AnyAll a -> { out.add(a.left()); out.add(a.array()); }
            case Expr.Special s -> out.addAll(s.args());
            case Expr.Concat c -> out.addAll(c.args());
            case Expr.ArrayCtor a -> out.addAll(a.elements());
            case Expr.Subscript s -> {
                out.add(s.array());
                s.lower().stream().filter(x -> x != null).forEach(out::add);
                s.upper().stream().filter(x -> x != null).forEach(out::add);
            }
            case Expr.Like l -> {
                out.add(l.arg());
                out.add(l.pattern());
                if (l.escape() != null) out.add(l.escape());
            }
        }
        return out;
    }
}
