package dev.ampere.where;

import java.util.ArrayList;
import java.util.List;

/**
 * Folds constants the way Postgres's planner does ({@code eval_const_expressions}), because that changes results:
 * a strict call with a NULL constant argument is NULL without evaluating the other arguments, AND drops TRUE and
 * collapses on a FALSE constant, OR the reverse, a one-item IN list is a plain {@code =}, and any node whose
 * inputs are all constant is evaluated once. A constant that fails to evaluate fails in Postgres for every row,
 * so it is reported as an invalid where clause.
 *
 * <p>Stateless.
 */
final class Simplifier {
    private Simplifier() {}

    static Expr simplify(Expr e) {
        return switch (e) {
            case Expr.Const c -> c;
            case Expr.Column c -> c;
            case Expr.Call c -> {
                List<Expr> args = all(c.args());
                if (c.strict() && args.stream().anyMatch(Simplifier::isNull)) yield new Expr.Const(null, c.type(), 0);
                yield foldIfConstant(new Expr.Call(c.name(), c.form(), c.fn(), args, c.type(), c.strict()));
            }
            case Expr.Cast c -> foldIfConstant(new Expr.Cast(simplify(c.arg()), c.fn(), c.type()));
            case Expr.TextOut t -> foldIfConstant(new Expr.TextOut(simplify(t.arg())));
            case Expr.And a -> logical(all(a.args()), true);
            case Expr.Or o -> logical(all(o.args()), false);
            case Expr.Not n -> foldIfConstant(new Expr.Not(simplify(n.arg())));
            case Expr.IsNull n -> foldIfConstant(new Expr.IsNull(simplify(n.arg()), n.negated()));
            case Expr.IsBool b -> foldIfConstant(new Expr.IsBool(simplify(b.arg()), b.value(), b.negated()));
            case Expr.Distinct d -> foldIfConstant(new Expr.Distinct(simplify(d.left()), simplify(d.right()), d.eq(), d.negated()));
            case Expr.InList in -> {
                Expr arg = simplify(in.arg());
                List<Expr> items = all(in.items());
                if (items.size() == 1 && (isNull(arg) || isNull(items.getFirst()))) yield new Expr.Const(null, SqlType.BOOL, 0);
                yield foldIfConstant(new Expr.InList(arg, items, in.eq(), in.negated()));
            }
            case Expr.InSubquery in -> new Expr.InSubquery(all(in.args()), in.index(), in.subquery(), in.negated());
            case Expr.AnyAll a -> foldIfConstant(new Expr.AnyAll(simplify(a.left()), a.op(), simplify(a.array()), a.fn(), a.all()));
            case Expr.Special s -> foldIfConstant(new Expr.Special(s.name(), all(s.args()), s.type()));
            case Expr.Concat c -> foldIfConstant(new Expr.Concat(all(c.args())));
            case Expr.ArrayCtor a -> foldIfConstant(new Expr.ArrayCtor(all(a.elements()), a.type()));
            case Expr.Subscript s -> foldIfConstant(new Expr.Subscript(simplify(s.array()), all(s.lower()), all(s.upper()), s.slice(), s.type()));
            case Expr.Like l -> foldIfConstant(new Expr.Like(simplify(l.arg()), simplify(l.pattern()),
                    l.escape() == null ? null : simplify(l.escape()), l.caseInsensitive(), l.negated()));
        };
    }

    private static List<Expr> all(List<Expr> exprs) {
        List<Expr> out = new ArrayList<>(exprs.size());
        for (Expr e : exprs) out.add(e == null ? null : simplify(e));
        return java.util.Collections.unmodifiableList(out);
    }

    private static boolean isNull(Expr e) {
        return e instanceof Expr.Const c && c.value() == null;
    }

    private static Expr logical(List<Expr> args, boolean and) {
        Boolean absorbing = !and;
        List<Expr> kept = new ArrayList<>();
        for (Expr a : args) {
            if (a instanceof Expr.Const c && c.value() != null) {
                if (c.value().equals(absorbing)) return new Expr.Const(absorbing, SqlType.BOOL, 0);
                continue;
            }
            kept.add(a);
        }
        if (kept.isEmpty()) return new Expr.Const(and, SqlType.BOOL, 0);
        if (kept.size() == 1) return kept.getFirst();
        if (kept.stream().allMatch(Simplifier::isNull)) return new Expr.Const(null, SqlType.BOOL, 0);
        return and ? new Expr.And(List.copyOf(kept)) : new Expr.Or(List.copyOf(kept));
    }

    private static Expr foldIfConstant(Expr e) {
        for (Expr child : WhereClause.children(e)) {
            if (!(child instanceof Expr.Const)) return e;
        }
        try {
            return new Expr.Const(Interpreter.eval(e, column -> null), e.type(), 0);
        } catch (EvalException ex) {
            throw WhereClauseException.plain(ex.getMessage());
        }
    }
}
