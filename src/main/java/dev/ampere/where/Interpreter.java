package dev.ampere.where;

import java.util.List;

/**
 * Evaluates a typed tree by walking it for every row: the plain reference implementation, kept for the JMH
 * comparison with {@link Compiler} output and as a cross-check in tests. Re-dispatches on node kinds and re-parses
 * referenced columns on every visit; production code uses compiled predicates.
 *
 * <p>Stateless; thread-safe.
 */
public final class Interpreter {
    private static final Fn.F2 LESS = Operators.comparator("<");
    private static final Fn.F2 EQUAL = Operators.comparator("=");

    private Interpreter() {}

    static Object eval(Expr e, RowValues row) {
        return switch (e) {
            case Expr.Const c -> c.value();
            case Expr.Column c -> {
                String s = row.text(c.index());
                yield s == null ? null : Values.parse(c.type(), s);
            }
            case Expr.Call c -> c.strict() ? Semantics.callStrict(c.fn(), evalAll(c.args(), row))
                    : Semantics.callNonStrict(c.fn(), evalAll(c.args(), row));
            case Expr.Cast c -> {
                Object v = eval(c.arg(), row);
                yield v == null ? null : c.fn().apply(v);
            }
            case Expr.TextOut t -> {
                Object v = eval(t.arg(), row);
                yield v == null ? null : Values.format(t.arg().type(), v);
            }
            case Expr.And a -> and(a.args(), row);
            case Expr.Or o -> or(o.args(), row);
            case Expr.Not n -> {
                Object v = eval(n.arg(), row);
                yield v == null ? null : !(Boolean) v;
            }
            case Expr.IsNull n -> (eval(n.arg(), row) == null) != n.negated();
            case Expr.IsBool b -> Semantics.isBool(eval(b.arg(), row), b.value(), b.negated());
            case Expr.Distinct d -> Semantics.distinct(eval(d.left(), row), eval(d.right(), row), d.eq(), d.negated());
            case Expr.InList in -> Semantics.in(eval(in.arg(), row), evalAll(in.items(), row), in.eq(), in.negated());
            case Expr.InSubquery in -> {
                Boolean member = SubqueryRow.member(row, in.index(), evalAll(in.args(), row));
                yield member == null ? null : member != in.negated();
            }
            case Expr.AnyAll a -> Semantics.anyAll(eval(a.left(), row), (PgArray) eval(a.array(), row), a.fn(), a.all());
            case Expr.Special s -> Semantics.special(s.name(), evalAll(s.args(), row), LESS, EQUAL);
            case Expr.Concat c -> Semantics.concat(evalAll(c.args(), row), c.args().stream().map(Expr::type).toArray(SqlType[]::new));
            case Expr.ArrayCtor a -> Semantics.arrayCtor(evalAll(a.elements(), row), a.type().equals(a.elements().getFirst().type()));
            case Expr.Subscript s -> subscript(s, row);
            case Expr.Like l -> Semantics.like(eval(l.arg(), row), eval(l.pattern(), row),
                    l.escape() == null ? null : eval(l.escape(), row), l.caseInsensitive(), l.negated(), l.escape() != null);
        };
    }

    private static Object[] evalAll(List<Expr> exprs, RowValues row) {
        Object[] out = new Object[exprs.size()];
        for (int i = 0; i < out.length; i++) out[i] = exprs.get(i) == null ? null : eval(exprs.get(i), row);
        return out;
    }

    private static Object and(List<Expr> args, RowValues row) {
        boolean sawNull = false;
        for (Expr a : args) {
            Object v = eval(a, row);
            if (v == null) sawNull = true;
            else if (!(Boolean) v) return false;
        }
        return sawNull ? null : true;
    }

    private static Object or(List<Expr> args, RowValues row) {
        boolean sawNull = false;
        for (Expr a : args) {
            Object v = eval(a, row);
            if (v == null) sawNull = true;
            else if ((Boolean) v) return true;
        }
        return sawNull ? null : false;
    }

    private static Object subscript(Expr.Subscript s, RowValues row) {
        int n = s.upper().size();
        boolean[] lowerGiven = new boolean[n], upperGiven = new boolean[n];
        for (int i = 0; i < n; i++) {
            lowerGiven[i] = s.lower().get(i) != null;
            upperGiven[i] = s.upper().get(i) != null;
        }
        return Semantics.subscript(eval(s.array(), row), evalAll(s.lower(), row), evalAll(s.upper(), row), s.slice(),
                lowerGiven, upperGiven);
    }
}
