package dev.ampere.where;

import java.util.ArrayList;
import java.util.List;

import dev.ampere.where.SqlType.Base;

/**
 * Binds function calls: the non-strict built-ins ({@code concat}, {@code coalesce}, {@code greatest},
 * {@code least}, {@code nullif}) here, the strict allow-listed functions through {@link Functions}. Part of the
 * {@link Binder}.
 *
 * <p>Stateless.
 */
final class Calls {
    private Calls() {}

    static Expr call(Binder b, Ast.FuncCall f) {
        String name = f.name();
        if (f.star() || isAggregate(name)) throw b.error("aggregation is not supported in this context", f.pos());
        if (!Functions.known(name)) throw b.error("unknown or unsupported function " + name + "/" + f.args().size(), f.pos());
        List<Expr> args = new ArrayList<>();
        for (Ast a : f.args()) args.add(b.bind(a));
        switch (name) {
            case "concat" -> {
                List<Expr> texts = new ArrayList<>();
                for (Expr a : args) texts.add(b.settle(a, f.pos()));
                return new Expr.Concat(List.copyOf(texts));
            }
            case "coalesce", "greatest", "least", "nullif" -> {
                if (name.equals("nullif") && args.size() != 2) throw overload(b, f, args);
                SqlType common = Lists.commonType(b, args, f.pos());
                if (!name.equals("coalesce") && Operators.binary("<", common, common) == null && !name.equals("nullif")) {
                    throw overload(b, f, args);
                }
                List<Expr> coerced = new ArrayList<>();
                for (Expr a : args) coerced.add(b.coerce(a, common, f.pos(), null));
                return new Expr.Special(name, List.copyOf(coerced), common);
            }
            default -> { }
        }
        List<SqlType> types = new ArrayList<>();
        for (Expr a : args) types.add(a.type());
        Functions.Overload o = Functions.resolve(name, types);
        if (o == null) throw overload(b, f, args);
        List<Expr> coerced = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) coerced.add(b.coerce(args.get(i), o.args().get(i), f.pos(), null));
        boolean strict = !name.startsWith("array_") || name.equals("array_ndims") || name.equals("array_length");
        return new Expr.Call(name, Expr.Form.FUNCTION, o.fn(), List.copyOf(coerced), o.result(), strict);
    }

    private static WhereClauseException overload(Binder b, Ast.FuncCall f, List<Expr> args) {
        List<String> names = new ArrayList<>();
        for (Expr a : args) names.add(a.type().base() == Base.UNKNOWN ? "unknown" : a.type().pgName());
        return b.error("Could not select a function overload for " + f.name() + "(" + String.join(", ", names) + ")", f.pos());
    }

    private static boolean isAggregate(String name) {
        return switch (name) {
            case "count", "sum", "avg", "min", "max", "array_agg", "string_agg", "bool_and", "bool_or", "every" -> true;
            default -> false;
        };
    }
}
