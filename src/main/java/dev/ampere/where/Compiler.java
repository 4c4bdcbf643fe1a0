package dev.ampere.where;

import java.util.List;
import java.util.function.Function;

/**
 * Compiles a typed tree once into a tree of small closures ({@link Node}) so evaluating a row costs a few virtual
 * calls per node: functions, casts and parsers are bound at compile time, constant sub-trees are folded, common
 * shapes (a column compared with a constant, unary and binary strict calls) get dedicated closures, and only the
 * referenced columns are ever read from the row.
 *
 * <p>Stateless; the produced nodes are immutable and thread-safe.
 */
final class Compiler {
    private static final Fn.F2 LESS = Operators.comparator("<");
    private static final Fn.F2 EQUAL = Operators.comparator("=");

    /** One compiled node: evaluates to the SQL value (null for NULL) or throws {@link EvalException}. */
    @FunctionalInterface
    interface Node {
        Object eval(RowValues row);
    }

    private Compiler() {}

    static Node compile(Expr e) {
        if (!(e instanceof Expr.Const) && !references(e)) {
            try {
                Object folded = Interpreter.eval(e, c -> null);
                return row -> folded;
            } catch (EvalException ex) {
                // Postgres would fail on every row; keep the node so each evaluation reports the error.
            }
        }
        return switch (e) {
            case Expr.Const c -> {
                Object v = c.value();
                yield row -> v;
            }
            case Expr.Column c -> column(c);
            case Expr.Call c -> call(c);
            case Expr.Cast c -> {
                Node arg = compile(c.arg());
                Fn.F1 fn = c.fn();
                yield row -> {
                    Object v = arg.eval(row);
                    return v == null ? null : fn.apply(v);
                };
            }
            case Expr.TextOut t -> {
                Node arg = compile(t.arg());
                SqlType type = t.arg().type();
                yield row -> {
                    Object v = arg.eval(row);
                    return v == null ? null : Values.format(type, v);
                };
            }
            case Expr.And a -> and(all(a.args()));
            case Expr.Or o -> or(all(o.args()));
            case Expr.Not n -> {
                Node arg = compile(n.arg());
                yield row -> {
                    Object v = arg.eval(row);
                    return v == null ? null : !(Boolean) v;
                };
            }
            case Expr.IsNull n -> {
                Node arg = compile(n.arg());
                boolean negated = n.negated();
                yield row -> (arg.eval(row) == null) != negated;
            }
            case Expr.IsBool b -> {
                Node arg = compile(b.arg());
                yield row -> Semantics.isBool(arg.eval(row), b.value(), b.negated());
            }
            case Expr.Distinct d -> {
                Node l = compile(d.left()), r = compile(d.right());
                yield row -> Semantics.distinct(l.eval(row), r.eval(row), d.eq(), d.negated());
            }
            case Expr.InList in -> inList(in);
            case Expr.InSubquery in -> {
                Node[] args = all(in.args());
                int index = in.index();
                boolean negated = in.negated();
                yield row -> {
                    Boolean member = SubqueryRow.member(row, index, evalAll(args, row));
                    return member == null ? null : member != negated;
                };
            }
            case Expr.AnyAll a -> {
                Node l = compile(a.left()), arr = compile(a.array());
                yield row -> Semantics.anyAll(l.eval(row), (PgArray) arr.eval(row), a.fn(), a.all());
            }
            case Expr.Special s -> {
                Node[] args = all(s.args());
                yield row -> Semantics.special(s.name(), evalAll(args, row), LESS, EQUAL);
            }
            case Expr.Concat c -> {
                Node[] args = all(c.args());
                SqlType[] types = c.args().stream().map(Expr::type).toArray(SqlType[]::new);
                yield row -> Semantics.concat(evalAll(args, row), types);
            }
            case Expr.ArrayCtor a -> {
                Node[] args = all(a.elements());
                boolean nested = a.type().equals(a.elements().getFirst().type());
                yield row -> Semantics.arrayCtor(evalAll(args, row), nested);
            }
            case Expr.Subscript s -> subscript(s);
            case Expr.Like l -> like(l);
        };
    }

    static boolean references(Expr e) {
        return switch (e) {
            case Expr.Const c -> false;
            case Expr.Column c -> true;
            case Expr.Call c -> c.args().stream().anyMatch(Compiler::references);
            case Expr.Cast c -> references(c.arg());
            case Expr.TextOut t -> references(t.arg());
            case Expr.And a -> a.args().stream().anyMatch(Compiler::references);
            case Expr.Or o -> o.args().stream().anyMatch(Compiler::references);
            case Expr.Not n -> references(n.arg());
            case Expr.IsNull n -> references(n.arg());
            case Expr.IsBool b -> references(b.arg());
            case Expr.Distinct d -> references(d.left()) || references(d.right());
            case Expr.InList in -> references(in.arg()) || in.items().stream().anyMatch(Compiler::references);
            case Expr.InSubquery in -> true; // the sub-select's values change: never folded
            case Expr.AnyAll a -> references(a.left()) || references(a.array());
            case Expr.Special s -> s.args().stream().anyMatch(Compiler::references);
            case Expr.Concat c -> c.args().stream().anyMatch(Compiler::references);
            case Expr.ArrayCtor a -> a.elements().stream().anyMatch(Compiler::references);
            case Expr.Subscript s -> references(s.array())
                    || s.lower().stream().anyMatch(x -> x != null && references(x))
                    || s.upper().stream().anyMatch(x -> x != null && references(x));
            case Expr.Like l -> references(l.arg()) || references(l.pattern()) || (l.escape() != null && references(l.escape()));
        };
    }

    private static Node[] all(List<Expr> exprs) {
        Node[] out = new Node[exprs.size()];
        for (int i = 0; i < out.length; i++) out[i] = exprs.get(i) == null ? null : compile(exprs.get(i));
        return out;
    }

    private static Object[] evalAll(Node[] nodes, RowValues row) {
        Object[] out = new Object[nodes.length];
        for (int i = 0; i < out.length; i++) out[i] = nodes[i] == null ? null : nodes[i].eval(row);
        return out;
    }

    private static Node column(Expr.Column c) {
        int index = c.index();
        Function<String, Object> parser = ValueParsers.of(c.type());
        return row -> {
            String s = row.text(index);
            return s == null ? null : parser.apply(s);
        };
    }

    private static Node call(Expr.Call c) {
        Node[] args = all(c.args());
        if (!c.strict()) return row -> Semantics.callNonStrict(c.fn(), evalAll(args, row));
        return switch (c.fn()) {
            case Fn.F1 f -> {
                Node a = args[0];
                yield row -> {
                    Object v = a.eval(row);
                    return v == null ? null : f.apply(v);
                };
            }
            case Fn.F2 f -> {
                Node special = Specialized.comparison(c);
                if (special != null) yield special;
                Node l = args[0], r = args[1];
                yield row -> {
                    Object x = l.eval(row);
                    Object y = r.eval(row);
                    return x == null || y == null ? null : f.apply(x, y);
                };
            }
            default -> row -> Semantics.callStrict(c.fn(), evalAll(args, row));
        };
    }

    private static Node and(Node[] args) {
        if (args.length == 2) {
            Node a = args[0], b = args[1];
            return row -> {
                Object x = a.eval(row);
                if (Boolean.FALSE.equals(x)) return false;
                Object y = b.eval(row);
                if (Boolean.FALSE.equals(y)) return false;
                return x == null || y == null ? null : true;
            };
        }
        return row -> {
            boolean sawNull = false;
            for (Node a : args) {
                Object v = a.eval(row);
                if (v == null) sawNull = true;
                else if (!(Boolean) v) return false;
            }
            return sawNull ? null : true;
        };
    }

    private static Node or(Node[] args) {
        return row -> {
            boolean sawNull = false;
            for (Node a : args) {
                Object v = a.eval(row);
                if (v == null) sawNull = true;
                else if ((Boolean) v) return true;
            }
            return sawNull ? null : false;
        };
    }

    private static Node inList(Expr.InList in) {
        Node arg = compile(in.arg());
        Node[] items = all(in.items());
        return row -> Semantics.in(arg.eval(row), evalAll(items, row), in.eq(), in.negated());
    }

    private static Node like(Expr.Like l) {
        boolean ci0 = l.caseInsensitive(), negated0 = l.negated();
        if (l.pattern() instanceof Expr.Const p && p.value() instanceof String pat && l.escape() == null) {
            // Constant pattern without ESCAPE: no per-row escape handling or pattern evaluation.
            Node arg = compile(l.arg());
            java.util.function.Predicate<String> fast = LikePatterns.compile(pat, ci0);
            if (fast != null) {
                return row -> {
                    Object s = arg.eval(row);
                    return s == null ? null : fast.test((String) s) != negated0;
                };
            }
            return row -> {
                Object s = arg.eval(row);
                if (s == null) return null;
                return (ci0 ? TextFns.ilike((String) s, pat, '\\') : TextFns.like((String) s, pat, '\\')) != negated0;
            };
        }
        Node arg = compile(l.arg()), pattern = compile(l.pattern());
        Node escape = l.escape() == null ? null : compile(l.escape());
        boolean ci = l.caseInsensitive(), negated = l.negated();
        return row -> Semantics.like(arg.eval(row), pattern.eval(row), escape == null ? null : escape.eval(row), ci,
                negated, escape != null);
    }

    private static Node subscript(Expr.Subscript s) {
        Node array = compile(s.array());
        Node[] lower = all(s.lower()), upper = all(s.upper());
        int n = upper.length;
        boolean[] lowerGiven = new boolean[n], upperGiven = new boolean[n];
        for (int i = 0; i < n; i++) {
            lowerGiven[i] = lower[i] != null;
            upperGiven[i] = upper[i] != null;
        }
        return row -> Semantics.subscript(array.eval(row), evalAll(lower, row), evalAll(upper, row), s.slice(),
                lowerGiven, upperGiven);
    }
}
