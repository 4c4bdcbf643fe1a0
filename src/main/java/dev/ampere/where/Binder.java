package dev.ampere.where;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.TableInfo;
import dev.ampere.where.SqlType.Base;

/**
 * Resolves names and types of a parsed where clause against a table: columns to positions, literals and
 * {@code $n} parameters to typed constants (an untyped literal takes its type from context, as in Postgres),
 * operators and functions to implementations, implicit casts made explicit. Errors are
 * {@link WhereClauseException}s worded like Electric's and located at the offending node.
 *
 * <p>Not thread-safe; one instance per where clause.
 */
final class Binder {
    private final String text;
    private final TableInfo table;
    private final Map<String, String> params;
    private final Map<Integer, SqlType> paramTypes;
    /** Finds the tables of sub-selects; null where sub-selects are refused (subset where clauses). */
    private final TableResolver resolver;
    /** The clause's distinct sub-selects, in order of appearance: {@link Expr.InSubquery#index()} points here. */
    private final List<Subquery> subqueries = new ArrayList<>();
    private final Map<String, Integer> subqueryIndexes = new java.util.HashMap<>();
    /** Per sub-select, whether it was used with positive polarity (true) or under an odd number of negations. */
    private final Map<Integer, Boolean> polarity = new java.util.HashMap<>();
    /** Whether the node being bound sits directly in AND / OR / NOT (or is the root): where sub-selects may be. */
    private boolean logical = true;
    private int negations;

    Binder(String text, TableInfo table, Map<String, String> params) {
        this(text, table, params, null, new TreeMap<>());
    }

    Binder(String text, TableInfo table, Map<String, String> params, TableResolver resolver) {
        this(text, table, params, resolver, new TreeMap<>());
    }

    /** A binder for a sub-select's where clause shares the parameters and their inferred types with the outer one. */
    private Binder(String text, TableInfo table, Map<String, String> params, TableResolver resolver,
                   Map<Integer, SqlType> paramTypes) {
        this.text = text;
        this.table = table;
        this.params = params;
        this.resolver = resolver;
        this.paramTypes = paramTypes;
    }

    List<Subquery> subqueries() {
        return List.copyOf(subqueries);
    }

    Map<Integer, SqlType> paramTypes() {
        return paramTypes;
    }

    WhereClauseException error(String msg, int pos) {
        return new WhereClauseException(msg, Syntax.semanticLocation(text, pos));
    }

    Expr bind(Ast ast) {
        boolean parentLogical = logical;
        logical = ast instanceof Ast.And || ast instanceof Ast.Or || ast instanceof Ast.Not;
        try {
            return bindNode(ast, parentLogical);
        } finally {
            logical = parentLogical;
        }
    }

    private Expr bindNode(Ast ast, boolean parentLogical) {
        return switch (ast) {
            case Ast.Literal l -> literal(l);
            case Ast.ColumnRef c -> column(c);
            case Ast.Param p -> param(p);
            case Ast.Prefix p -> prefix(p);
            case Ast.Binary b -> binary(b.op(), bind(b.left()), bind(b.right()), b.pos());
            case Ast.And a -> new Expr.And(flatten(a, true));
            case Ast.Or o -> new Expr.Or(flatten(o, false));
            case Ast.Not n -> {
                negations++;
                try {
                    yield new Expr.Not(boolArg(bind(n.arg()), "NOT", n.pos()));
                } finally {
                    negations--;
                }
            }
            case Ast.IsTest t -> isTest(t);
            case Ast.Distinct d -> distinct(d);
            case Ast.Like l -> like(l);
            case Ast.InList in -> Lists.inList(this, in);
            case Ast.InSubquery in -> inSubquery(in, parentLogical);
            case Ast.Row r -> throw error("row expressions are not supported", r.pos());
            case Ast.Between b -> between(b);
            case Ast.AnyAll a -> Lists.anyAll(this, a);
            case Ast.Cast c -> cast(bind(c.arg()), c.type(), c.pos());
            case Ast.FuncCall f -> Calls.call(this, f);
            case Ast.ArrayCtor a -> Lists.arrayCtor(this, a);
            case Ast.Subscript s -> Lists.subscript(this, s);
            case Ast.Unsupported u -> throw error(u.what(), u.pos());
        };
    }

    /**
     * {@code x [NOT] IN (SELECT ...)} and {@code (a, b) [NOT] IN (SELECT ...)} (docs/protocol.md, "Sub-selects"): the
     * left side plain columns, the sub-select's table resolved and its where clause bound against that table (with
     * the same parameters), the types equal column by column. Identical sub-selects of one clause share an index.
     * Only as a condition combined with AND, OR and NOT, and each sub-select with one polarity throughout.
     */
    private Expr inSubquery(Ast.InSubquery in, boolean parentLogical) {
        if (resolver == null) throw error("subqueries are not supported", in.pos());
        if (!parentLogical) {
            throw error("`IN (SELECT ...)` is only supported as a condition combined with AND, OR and NOT", in.pos());
        }
        List<Ast> leftSide = in.arg() instanceof Ast.Row r ? r.elements() : List.of(in.arg());
        List<Expr> left = new ArrayList<>();
        for (Ast a : leftSide) {
            if (!(a instanceof Ast.ColumnRef)) {
                throw error("currently, left side of `IN (SELECT ...)` can only be a column reference or a list of"
                        + " column references", in.pos());
            }
            left.add(bind(a));
        }
        Ast.Subselect select = in.select();
        TableInfo inner = resolver.resolve(select.schema(), select.table());
        if (inner == null) {
            String name = select.schema() == null ? select.table() : select.schema() + "." + select.table();
            throw error("relation \"" + name + "\" does not exist", select.pos());
        }
        List<String> columns = new ArrayList<>();
        int[] indexes = new int[select.columns().size()];
        List<SqlType> types = new ArrayList<>();
        for (int i = 0; i < indexes.length; i++) {
            String name = select.columns().get(i);
            int index = inner.columnIndex(name);
            if (index < 0) throw error("unknown reference " + name, select.pos());
            ColumnInfo col = inner.columns().get(index);
            SqlType type = ColumnTypes.of(col);
            if (type == null) {
                throw error("type " + col.typeName() + " of column " + col.name() + " is not supported", select.pos());
            }
            columns.add(col.name());
            indexes[i] = index;
            types.add(type);
        }
        List<SqlType> leftTypes = left.stream().map(Expr::type).toList();
        if (!leftTypes.equals(types)) {
            throw error("left side of `IN (SELECT ...)` has type " + readable(leftTypes) + " but subquery returns "
                    + readable(types) + "[]", in.pos());
        }
        for (SqlType t : types) {
            if (t.array() || !(IndexPlan.indexable(t) || t.base() == Base.FLOAT4 || t.base() == Base.FLOAT8)) {
                throw error("type " + t.pgName() + " is not supported in `IN (SELECT ...)`", in.pos());
            }
        }
        java.util.Optional<WhereClause> where = java.util.Optional.empty();
        if (select.where() != null) {
            Binder nested = new Binder(text, inner, params, resolver, paramTypes);
            Expr e = Simplifier.simplify(nested.settle(nested.bind(select.where()), 0));
            if (!e.type().equals(SqlType.BOOL)) throw error("WHERE clause must return a boolean", select.pos());
            where = java.util.Optional.of(WhereClause.bound(e, nested.subqueries()));
        }
        Subquery subquery = new Subquery(inner, List.copyOf(columns), indexes, List.copyOf(types), where);
        int index = subqueryIndexes.computeIfAbsent(subquery.selectSql(), k -> {
            subqueries.add(subquery);
            return subqueries.size() - 1;
        });
        boolean positive = (negations % 2 == 0) != in.negated();
        Boolean prior = polarity.putIfAbsent(index, positive);
        if (prior != null && prior != positive) {
            throw error("a subquery dependency cannot be used with both positive and negative polarity in the same"
                    + " filter", in.pos());
        }
        return new Expr.InSubquery(List.copyOf(left), index, subqueries.get(index), in.negated());
    }

    private static String readable(List<SqlType> types) {
        if (types.size() == 1) return types.getFirst().pgName();
        return "row of (" + String.join(", ", types.stream().map(SqlType::pgName).toList()) + ")";
    }

    /** A numeric literal within Postgres's numeric range (an out-of-range one fails as in Postgres). */
    private BigDecimal numericLiteral(Ast.Literal l) {
        try {
            return Arith.numericInput(new BigDecimal(l.text()));
        } catch (EvalException | NumberFormatException e) {
            throw error("value overflows numeric format", l.pos());
        }
    }

    private Expr literal(Ast.Literal l) {
        return switch (l.kind()) {
            case INTEGER -> {
                BigDecimal v = numericLiteral(l);
                try {
                    long x = v.longValueExact();
                    yield new Expr.Const(x, x == (int) x ? SqlType.INT4 : SqlType.INT8, 0);
                } catch (ArithmeticException e) {
                    yield new Expr.Const(v, SqlType.NUMERIC, 0);
                }
            }
            case DECIMAL -> new Expr.Const(numericLiteral(l), SqlType.NUMERIC, 0);
            case STRING -> new Expr.Const(l.text(), SqlType.UNKNOWN, 0);
            case BOOL -> new Expr.Const(l.text().equals("true"), SqlType.BOOL, 0);
            case NULL -> new Expr.Const(null, SqlType.UNKNOWN, 0);
        };
    }

    private Expr column(Ast.ColumnRef c) {
        String name = String.join(".", c.path());
        int index = c.path().size() == 1 ? table.columnIndex(c.path().getFirst()) : -1;
        if (index < 0) throw error("unknown reference " + name, c.pos());
        ColumnInfo col = table.columns().get(index);
        SqlType type = ColumnTypes.of(col);
        if (type == null) throw error("type " + col.typeName() + " of column " + col.name() + " is not supported", c.pos());
        return new Expr.Column(index, col.name(), type);
    }

    private Expr param(Ast.Param p) {
        String value = params.get(Integer.toString(p.number()));
        if (value == null) throw error("parameter $" + p.number() + " was not provided", p.pos());
        paramTypes.putIfAbsent(p.number(), SqlType.UNKNOWN);
        return new Expr.Const(value, SqlType.UNKNOWN, p.number());
    }

    private Expr prefix(Ast.Prefix p) {
        if (p.op().equals("-") && p.arg() instanceof Ast.Literal l
                && (l.kind() == Ast.LiteralKind.INTEGER || l.kind() == Ast.LiteralKind.DECIMAL) && !l.text().startsWith("-")) {
            return literal(new Ast.Literal(l.kind(), "-" + l.text(), p.pos()));
        }
        Expr arg = bind(p.arg());
        Operators.Unary u = Operators.unary(p.op(), arg.type());
        if (u == null) throw error("Could not select an operator overload", p.pos());
        arg = coerce(arg, u.arg(), p.pos(), "Could not select an operator overload");
        return new Expr.Call(p.op(), Expr.Form.PREFIX, u.fn(), List.of(arg), u.result(), true);
    }

    Expr binary(String op, Expr l, Expr r, int pos) {
        SqlType[] types = Operators.resolveUnknowns(op, l.type(), r.type());
        Operators.Binary b = null;
        if (l.type().base() == Base.UNKNOWN ^ r.type().base() == Base.UNKNOWN) {
            SqlType known = l.type().base() == Base.UNKNOWN ? r.type() : l.type();
            b = Operators.binary(op, known, known);
        }
        if (b == null) b = Operators.binary(op, types[0], types[1]);
        if (b == null) throw error("Could not select an operator overload", pos);
        if (op.equals("||") && b.result().equals(SqlType.TEXT)) {
            return new Expr.Call(op, Expr.Form.INFIX, b.fn(), List.of(textOutput(l, pos), textOutput(r, pos)), b.result(), true);
        }
        l = coerce(l, b.left(), pos, "Could not select an operator overload");
        r = coerce(r, b.right(), pos, "Could not select an operator overload");
        boolean strict = !(op.equals("||") && b.result().array());
        return new Expr.Call(op, Expr.Form.INFIX, b.fn(), List.of(l, r), b.result(), strict);
    }

    /** A non-text operand of {@code text || x} is converted with its output function ({@code anytextcat}). */
    private Expr textOutput(Expr e, int pos) {
        if (e.type().equals(SqlType.TEXT) || e.type().base() == Base.UNKNOWN) return coerce(e, SqlType.TEXT, pos, null);
        return new Expr.TextOut(e);
    }

    private List<Expr> flatten(Ast ast, boolean and) {
        List<Expr> out = new ArrayList<>();
        String name = and ? "AND" : "OR";
        Ast left = and ? ((Ast.And) ast).left() : ((Ast.Or) ast).left();
        Ast right = and ? ((Ast.And) ast).right() : ((Ast.Or) ast).right();
        for (Ast side : List.of(left, right)) {
            Expr e = boolArg(bind(side), name, ast.pos());
            if (and && e instanceof Expr.And inner) out.addAll(inner.args());
            else if (!and && e instanceof Expr.Or inner) out.addAll(inner.args());
            else out.add(e);
        }
        return List.copyOf(out);
    }

    Expr boolArg(Expr e, String what, int pos) {
        if (e.type().equals(SqlType.BOOL)) return e;
        if (e.type().base() == Base.UNKNOWN) return coerce(e, SqlType.BOOL, pos, null);
        throw error("argument of " + what + " must be bool, not " + e.type().pgName(), pos);
    }

    private Expr isTest(Ast.IsTest t) {
        Expr arg = bind(t.arg());
        if (t.what().equals("null")) return new Expr.IsNull(arg, t.negated());
        String label = "IS " + (t.negated() ? "NOT " : "") + t.what().toUpperCase(java.util.Locale.ROOT);
        arg = boolArg(arg, label, t.pos());
        Boolean value = switch (t.what()) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> null;
        };
        return new Expr.IsBool(arg, value, t.negated());
    }

    private Expr distinct(Ast.Distinct d) {
        Expr eq = binary("=", bind(d.left()), bind(d.right()), d.pos());
        Expr.Call call = (Expr.Call) eq;
        return new Expr.Distinct(call.args().get(0), call.args().get(1), (Fn.F2) call.fn(), d.negated());
    }

    private Expr like(Ast.Like l) {
        Expr arg = textArg(bind(l.arg()), l.pos());
        Expr pattern = textArg(bind(l.pattern()), l.pos());
        Expr escape = l.escape() == null ? null : textArg(bind(l.escape()), l.pos());
        return new Expr.Like(arg, pattern, escape, l.caseInsensitive(), l.negated());
    }

    private Expr textArg(Expr e, int pos) {
        if (e.type().isTextLike()) return coerce(e, SqlType.TEXT, pos, null);
        throw error("Could not select an operator overload", pos);
    }

    private Expr between(Ast.Between b) {
        Ast lowAnd = and(new Ast.Binary(">=", b.arg(), b.low(), b.pos()), new Ast.Binary("<=", b.arg(), b.high(), b.pos()), b.pos());
        Ast result = lowAnd;
        if (b.symmetric()) {
            Ast swapped = and(new Ast.Binary(">=", b.arg(), b.high(), b.pos()), new Ast.Binary("<=", b.arg(), b.low(), b.pos()), b.pos());
            result = new Ast.Or(lowAnd, swapped, b.pos());
        }
        return bind(b.negated() ? new Ast.Not(result, b.pos()) : result);
    }

    private static Ast and(Ast l, Ast r, int pos) {
        return new Ast.And(l, r, pos);
    }

    Expr cast(Expr arg, Ast.TypeName name, int pos) {
        SqlType target = ColumnTypes.named(name.name(), table);
        if (target == null) throw error("unsupported type " + name.name(), name.pos());
        if (name.array()) target = target.arrayOf();
        if (arg.type().equals(target)) return arg;
        if (arg instanceof Expr.Const c && c.type().base() == Base.UNKNOWN) return coerce(arg, target, pos, null);
        Fn.F1 fn = Casts.cast(arg.type(), target);
        if (fn == null) {
            throw error("unknown cast from type " + arg.type().pgName() + " to type " + target.pgName(), pos);
        }
        return new Expr.Cast(arg, fn, target);
    }

    /**
     * Gives {@code e} the type {@code target}: an untyped literal or parameter is read as a value of that type, a
     * typed expression gets an implicit cast. {@code failure} is the message when that is impossible (null: a
     * cast error).
     */
    Expr coerce(Expr e, SqlType target, int pos, String failure) {
        if (e.type().equals(target)) return e;
        if (e instanceof Expr.Const c && c.type().base() == Base.UNKNOWN) {
            if (c.param() > 0) {
                SqlType prior = paramTypes.get(c.param());
                if (prior != null && prior.base() != Base.UNKNOWN && !prior.equals(target)) {
                    throw error("type conflict for $" + c.param() + ": " + target.pgName() + " and " + prior.pgName(), pos);
                }
                paramTypes.put(c.param(), target);
            }
            if (c.value() == null) return new Expr.Const(null, target, c.param());
            try {
                return new Expr.Const(Values.parse(target, (String) c.value()), target, c.param());
            } catch (EvalException | ArithmeticException ex) {
                throw error("invalid syntax for type " + target.pgName() + ": " + c.value(), pos);
            }
        }
        if (Casts.implicitlyCastable(e.type(), target)) return new Expr.Cast(e, Casts.cast(e.type(), target), target);
        throw error(failure != null ? failure
                : "unknown cast from type " + e.type().pgName() + " to type " + target.pgName(), pos);
    }

    /** An untyped literal left without context becomes text, as Electric does. */
    Expr settle(Expr e, int pos) {
        return e.type().base() == Base.UNKNOWN ? coerce(e, SqlType.TEXT, pos, null) : e;
    }
}
