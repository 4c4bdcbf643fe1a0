package dev.ampere.where;

import java.math.BigDecimal;
import java.util.List;
import java.util.StringJoiner;

import dev.ampere.postgres.TableInfo;
import dev.ampere.where.SqlType.Base;

/**
 * Renders a typed tree back to SQL for the snapshot query, so user text is never pasted into SQL: identifiers are
 * quoted, every operator application is parenthesised, literals become {@code 'text'::type} with quotes doubled
 * (plain numbers and booleans stay bare when Postgres would give them the same type), and {@code $n} parameters
 * are inlined with their inferred type. Enum constants stay untyped ({@code 'label'}) so Postgres resolves them
 * against the enum column without needing the enum's schema. The output is also the canonical form used to
 * deduplicate definitions: whitespace, keyword case and redundant parentheses in the user's text vanish.
 *
 * <p>Stateless.
 */
final class SqlRenderer {
    /** Where {@code $n} values go: null to inline them as typed literals, else the list they are bound from. */
    private final List<String> bindings;

    private SqlRenderer(List<String> bindings) {
        this.bindings = bindings;
    }

    static String render(Expr e) {
        return new SqlRenderer(null).renderToString(e);
    }

    /**
     * As {@link #render(Expr)}, but every {@code $n} parameter (with a non-null value) becomes a JDBC placeholder
     * {@code ?} (cast to its inferred type, bare for enums) and its text value is appended to {@code bindings}, in
     * placeholder order. The values are meant to be bound untyped ({@code Types.OTHER}), so Postgres reads them as it
     * would the inlined literal.
     */
    static String renderBound(Expr e, List<String> bindings) {
        return new SqlRenderer(bindings).renderToString(e);
    }

    private String renderToString(Expr e) {
        StringBuilder sb = new StringBuilder();
        render(e, sb);
        return sb.toString();
    }

    private void render(Expr e, StringBuilder sb) {
        switch (e) {
            case Expr.Const c -> constant(c, sb);
            case Expr.Column c -> sb.append(TableInfo.quoteIdent(c.name()));
            case Expr.Call c -> call(c, sb);
            case Expr.Cast c -> {
                sb.append("CAST(");
                render(c.arg(), sb);
                sb.append(" AS ").append(c.type().sqlName()).append(')');
            }
            case Expr.TextOut t -> render(t.arg(), sb);
            case Expr.And a -> joined(a.args(), " AND ", sb);
            case Expr.Or o -> joined(o.args(), " OR ", sb);
            case Expr.Not n -> {
                sb.append("(NOT ");
                render(n.arg(), sb);
                sb.append(')');
            }
            case Expr.IsNull n -> postfix(n.arg(), n.negated() ? " IS NOT NULL" : " IS NULL", sb);
            case Expr.IsBool b -> postfix(b.arg(), " IS " + (b.negated() ? "NOT " : "")
                    + (b.value() == null ? "UNKNOWN" : b.value() ? "TRUE" : "FALSE"), sb);
            case Expr.Distinct d -> {
                sb.append('(');
                render(d.left(), sb);
                sb.append(d.negated() ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
                render(d.right(), sb);
                sb.append(')');
            }
            case Expr.InList in -> {
                sb.append('(');
                render(in.arg(), sb);
                sb.append(in.negated() ? " NOT IN (" : " IN (");
                list(in.items(), sb);
                sb.append("))");
            }
            case Expr.InSubquery in -> subselect(in, sb);
            case Expr.AnyAll a -> {
                sb.append('(');
                render(a.left(), sb);
                sb.append(' ').append(a.op()).append(a.all() ? " ALL (" : " ANY (");
                render(a.array(), sb);
                sb.append("))");
            }
            case Expr.Special s -> function(s.name().toUpperCase(java.util.Locale.ROOT), s.args(), sb);
            case Expr.Concat c -> function("concat", c.args(), sb);
            case Expr.ArrayCtor a -> {
                sb.append("ARRAY[");
                list(a.elements(), sb);
                sb.append(']');
            }
            case Expr.Subscript s -> subscript(s, sb);
            case Expr.Like l -> {
                sb.append('(');
                render(l.arg(), sb);
                sb.append(l.negated() ? " NOT" : "").append(l.caseInsensitive() ? " ILIKE " : " LIKE ");
                render(l.pattern(), sb);
                if (l.escape() != null) {
                    sb.append(" ESCAPE ");
                    render(l.escape(), sb);
                }
                sb.append(')');
            }
        }
    }

    private void constant(Expr.Const c, StringBuilder sb) {
        Object v = c.value();
        SqlType t = c.type();
        if (v == null) {
            sb.append(t.base() == Base.UNKNOWN || t.base() == Base.ENUM ? "NULL" : "NULL::" + t.sqlName());
            return;
        }
        if (bindings != null && c.param() > 0) {
            bindings.add(Values.format(t, v));
            sb.append('?');
            if (t.base() != Base.ENUM && t.base() != Base.UNKNOWN) sb.append("::").append(t.sqlName());
            return;
        }
        if (c.param() == 0 && !t.array()) {
            if (v instanceof Boolean b) { sb.append(b ? "true" : "false"); return; }
            if (v instanceof Long l && (t.base() == Base.INT4 || (t.base() == Base.INT8 && l != (int) (long) l))) {
                sb.append(l);
                return;
            }
            if (v instanceof BigDecimal d && t.base() == Base.NUMERIC && (d.scale() > 0 || !fitsLong(d))) {
                sb.append(d.toPlainString());
                return;
            }
        }
        String text = Values.format(t, v);
        sb.append('\'').append(text.replace("'", "''")).append('\'');
        if (t.base() != Base.ENUM && t.base() != Base.UNKNOWN) sb.append("::").append(t.sqlName());
    }

    private static boolean fitsLong(BigDecimal d) {
        try {
            d.longValueExact();
            return true;
        } catch (ArithmeticException e) {
            return false;
        }
    }

    private void call(Expr.Call c, StringBuilder sb) {
        switch (c.form()) {
            case INFIX -> {
                sb.append('(');
                render(c.args().get(0), sb);
                sb.append(' ').append(c.name()).append(' ');
                render(c.args().get(1), sb);
                sb.append(')');
            }
            case PREFIX -> {
                sb.append('(').append(c.name()).append(' ');
                render(c.args().getFirst(), sb);
                sb.append(')');
            }
            case FUNCTION -> function(c.name(), c.args(), sb);
        }
    }

    private void function(String name, List<Expr> args, StringBuilder sb) {
        sb.append(name).append('(');
        list(args, sb);
        sb.append(')');
    }

    /** {@code (args) [NOT] IN (SELECT cols FROM table WHERE ...)}, the inner clause rendered by this renderer. */
    private void subselect(Expr.InSubquery in, StringBuilder sb) {
        sb.append('(');
        if (in.args().size() == 1) {
            render(in.args().getFirst(), sb);
        } else {
            sb.append('(');
            list(in.args(), sb);
            sb.append(')');
        }
        Subquery q = in.subquery();
        sb.append(in.negated() ? " NOT IN (SELECT " : " IN (SELECT ")
                .append(String.join(", ", q.columns().stream().map(TableInfo::quoteIdent).toList()))
                .append(" FROM ").append(q.table().quotedName());
        if (q.where().isPresent()) {
            sb.append(" WHERE ");
            render(q.where().get().expr(), sb);
        }
        sb.append("))");
    }

    private void list(List<Expr> items, StringBuilder sb) {
        StringJoiner j = new StringJoiner(", ");
        for (Expr e : items) j.add(renderToString(e));
        sb.append(j);
    }

    private void joined(List<Expr> args, String sep, StringBuilder sb) {
        sb.append('(');
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) sb.append(sep);
            render(args.get(i), sb);
        }
        sb.append(')');
    }

    private void postfix(Expr arg, String suffix, StringBuilder sb) {
        sb.append('(');
        render(arg, sb);
        sb.append(suffix).append(')');
    }

    private void subscript(Expr.Subscript s, StringBuilder sb) {
        sb.append('(');
        render(s.array(), sb);
        sb.append(')');
        for (int i = 0; i < s.upper().size(); i++) {
            sb.append('[');
            Expr lo = s.lower().get(i), hi = s.upper().get(i);
            if (s.slice()) {
                if (lo != null) render(lo, sb);
                sb.append(':');
            }
            if (hi != null) render(hi, sb);
            sb.append(']');
        }
    }
}
