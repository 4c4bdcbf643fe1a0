package dev.ampere.where;

import java.util.ArrayList;
import java.util.List;

import dev.ampere.where.SqlType.Base;

/**
 * Binds the list- and array-shaped constructs: {@code IN (…)}, {@code op ANY/ALL (array)}, {@code ARRAY[…]} and
 * subscripts. Common types follow Postgres's {@code select_common_type}: untyped literals take the type of the
 * typed members, numeric members promote to the widest. Part of the {@link Binder}.
 *
 * <p>Stateless.
 */
final class Lists {
    private Lists() {}

    static Expr inList(Binder b, Ast.InList in) {
        List<Expr> all = new ArrayList<>();
        all.add(b.bind(in.arg()));
        for (Ast item : in.items()) all.add(b.bind(item));
        SqlType common = commonType(b, all, in.pos());
        Operators.Binary eq = Operators.binary("=", common, common);
        if (eq == null) throw b.error("Could not select an operator overload", in.pos());
        List<Expr> coerced = new ArrayList<>();
        for (Expr e : all) coerced.add(b.coerce(e, common, in.pos(), "Could not select an operator overload"));
        return new Expr.InList(coerced.getFirst(), List.copyOf(coerced.subList(1, coerced.size())), eq.fn(), in.negated());
    }

    static SqlType commonType(Binder b, List<Expr> exprs, int pos) {
        SqlType common = null;
        for (Expr e : exprs) {
            if (e.type().base() == Base.UNKNOWN) continue;
            if (common == null) { common = e.type(); continue; }
            SqlType next = Operators.commonType(common, e.type());
            if (next == null) {
                throw b.error("types " + common.pgName() + " and " + e.type().pgName() + " cannot be matched", pos);
            }
            common = next;
        }
        return common == null ? SqlType.TEXT : common;
    }

    static Expr anyAll(Binder b, Ast.AnyAll a) {
        Expr left = b.bind(a.left());
        Expr array = b.bind(a.array());
        if (array.type().base() == Base.UNKNOWN) {
            SqlType elem = left.type().base() == Base.UNKNOWN ? SqlType.TEXT : left.type();
            array = b.coerce(array, elem.arrayOf(), a.pos(), null);
        }
        if (!array.type().array()) throw b.error("argument of ANY must be an array", a.array().pos());
        String op = a.op();
        SqlType elem = array.type().element();
        SqlType[] types = Operators.resolveUnknowns(op, left.type(), elem);
        Operators.Binary bin = Operators.binary(op, types[0], types[1]);
        if (bin == null || !bin.right().equals(elem)) throw b.error("Could not select an operator overload", a.pos());
        if (!bin.result().equals(SqlType.BOOL)) throw b.error("ANY/ALL requires operator that returns bool", a.pos());
        left = b.coerce(left, bin.left(), a.pos(), "Could not select an operator overload");
        return new Expr.AnyAll(left, op, array, bin.fn(), a.all());
    }

    static Expr arrayCtor(Binder b, Ast.ArrayCtor a) {
        List<Expr> elements = new ArrayList<>();
        for (Ast e : a.elements()) elements.add(b.bind(e));
        boolean nested = !a.elements().isEmpty() && a.elements().getFirst() instanceof Ast.ArrayCtor;
        if (elements.isEmpty()) throw b.error("cannot determine type of empty array", a.pos());
        SqlType common = commonType(b, elements, a.pos());
        List<Expr> coerced = new ArrayList<>();
        for (Expr e : elements) coerced.add(b.coerce(e, common, a.pos(), null));
        SqlType type = nested ? common : common.arrayOf();
        if (nested && !common.array()) throw b.error("multidimensional arrays must have array expressions", a.pos());
        return new Expr.ArrayCtor(List.copyOf(coerced), type);
    }

    static Expr subscript(Binder b, Ast.Subscript s) {
        Expr array = b.bind(s.arg());
        if (!array.type().array()) {
            throw b.error("cannot subscript type " + array.type().pgName() + " because it does not support subscripting", s.pos());
        }
        boolean slice = s.indices().stream().anyMatch(Ast.Index::slice);
        List<Expr> lower = new ArrayList<>(), upper = new ArrayList<>();
        for (Ast.Index idx : s.indices()) {
            lower.add(idx.lower() == null ? (slice && !idx.slice() ? new Expr.Const(1L, SqlType.INT4, 0) : null) : index(b, idx.lower(), s.pos()));
            upper.add(idx.upper() == null ? null : index(b, idx.upper(), s.pos()));
        }
        SqlType type = slice ? array.type() : array.type().element();
        return new Expr.Subscript(array, java.util.Collections.unmodifiableList(lower),
                java.util.Collections.unmodifiableList(upper), slice, type);
    }

    private static Expr index(Binder b, Ast ast, int pos) {
        Expr e = b.bind(ast);
        if (e.type().isInteger() || e.type().base() == Base.UNKNOWN) {
            return b.coerce(e, SqlType.INT4, pos, "array subscript must have type integer");
        }
        throw b.error("array subscript must have type integer", pos);
    }
}
