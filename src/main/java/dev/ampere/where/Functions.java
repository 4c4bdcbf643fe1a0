package dev.ampere.where;

import java.util.List;

import dev.ampere.where.SqlType.Base;

/**
 * The allow-listed functions (docs/protocol.md §2.1, Electric's {@code known_functions.ex}) with their overloads:
 * {@code lower}, {@code upper}, {@code length}, {@code like}, {@code ilike}, {@code abs}, {@code justify_days},
 * {@code justify_hours}, {@code justify_interval}, {@code array_ndims}, {@code array_length}, {@code cardinality},
 * {@code array_cat}, {@code array_append}, {@code array_prepend}, {@code timezone} (also {@code AT TIME ZONE}). {@code concat}, {@code coalesce},
 * {@code greatest}, {@code least} and {@code nullif} are not strict and are bound by the {@link Binder} itself.
 * Non-deterministic functions such as {@code now()} are deliberately absent.
 *
 * <p>Stateless.
 */
final class Functions {
    private Functions() {}

    /** A chosen overload: cast arguments to {@code args}, apply {@code fn} (an F1, F2 or FN). */
    record Overload(List<SqlType> args, SqlType result, Object fn) {}

    static boolean known(String name) {
        return switch (name) {
            case "lower", "upper", "length", "char_length", "like", "ilike", "abs", "justify_days", "justify_hours",
                 "justify_interval", "array_ndims", "array_length", "cardinality", "array_cat", "array_append",
                 "array_prepend", "concat", "coalesce", "greatest", "least", "nullif", "timezone" -> true;
            default -> false;
        };
    }

    /** The overload for these argument types (unknowns already defaulted to text), or null. */
    static Overload resolve(String name, List<SqlType> types) {
        int n = types.size();
        SqlType a = n > 0 ? types.get(0) : null, b = n > 1 ? types.get(1) : null;
        SqlType text = SqlType.TEXT, iv = SqlType.INTERVAL, int4 = SqlType.INT4;
        return switch (name) {
            case "lower" -> n == 1 && textual(a) ? new Overload(List.of(text), text, (Fn.F1) v -> TextFns.lower((String) v)) : null;
            case "upper" -> n == 1 && textual(a) ? new Overload(List.of(text), text, (Fn.F1) v -> TextFns.upper((String) v)) : null;
            case "length", "char_length" -> n == 1 && textual(a)
                    ? new Overload(List.of(text), int4, (Fn.F1) v -> (long) ((String) v).codePointCount(0, ((String) v).length())) : null;
            case "like" -> n == 2 && textual(a) && textual(b)
                    ? new Overload(List.of(text, text), SqlType.BOOL, (Fn.F2) (x, y) -> TextFns.like((String) x, (String) y, '\\')) : null;
            case "ilike" -> n == 2 && textual(a) && textual(b)
                    ? new Overload(List.of(text, text), SqlType.BOOL, (Fn.F2) (x, y) -> TextFns.ilike((String) x, (String) y, '\\')) : null;
            case "abs" -> {
                if (n != 1) yield null;
                SqlType t = a.base() == Base.UNKNOWN ? SqlType.FLOAT8 : a;
                yield t.isNumeric() ? new Overload(List.of(t), t, Arithmetic.abs(t)) : null;
            }
            case "justify_days" -> interval(n, a, v -> ((PgInterval) v).justifyDays());
            case "justify_hours" -> interval(n, a, v -> ((PgInterval) v).justifyHours());
            case "justify_interval" -> interval(n, a, v -> ((PgInterval) v).justifyInterval());
            case "array_ndims" -> n == 1 && a.array() ? new Overload(List.of(a), int4, (Fn.F1) v -> ArrayOps.ndims((PgArray) v)) : null;
            case "cardinality" -> n == 1 && a.array() ? new Overload(List.of(a), int4, (Fn.F1) v -> (long) ((PgArray) v).size()) : null;
            case "array_length" -> n == 2 && a.array() && Casts.implicitlyCastable(b.base() == Base.UNKNOWN ? int4 : b, int4)
                    ? new Overload(List.of(a, int4), int4, (Fn.F2) (x, y) -> ArrayOps.length((PgArray) x, (Long) y)) : null;
            case "array_cat" -> n == 2 && a.array() && a.equals(b)
                    ? new Overload(List.of(a, a), a, (Fn.F2) ArrayOps::concatNullable) : null;
            case "array_append" -> n == 2 && a.array() && castsTo(b, a.element())
                    ? new Overload(List.of(a, a.element()), a, (Fn.F2) (x, y) -> ArrayOps.append((PgArray) x, y)) : null;
            case "array_prepend" -> n == 2 && b.array() && castsTo(a, b.element())
                    ? new Overload(List.of(b.element(), b), b, (Fn.F2) (x, y) -> ArrayOps.prepend(x, (PgArray) y)) : null;
            case "timezone" -> timezone(n, a, b);
            default -> null;
        };
    }

    private static Overload timezone(int n, SqlType zone, SqlType value) {
        if (n != 2 || !textual(zone) || value.array()) return null;
        return switch (value.base()) {
            case TIMESTAMPTZ, DATE -> new Overload(List.of(SqlType.TEXT, SqlType.TIMESTAMPTZ), SqlType.TIMESTAMP,
                    (Fn.F2) (z, v) -> TimeZones.wallClock((String) z, (java.time.Instant) v));
            case TIMESTAMP -> new Overload(List.of(SqlType.TEXT, SqlType.TIMESTAMP), SqlType.TIMESTAMPTZ,
                    (Fn.F2) (z, v) -> TimeZones.instant((String) z, (java.time.LocalDateTime) v));
            default -> null;
        };
    }

    private static boolean textual(SqlType t) {
        return t.isTextLike();
    }

    private static boolean castsTo(SqlType from, SqlType to) {
        return from.base() == Base.UNKNOWN || Casts.implicitlyCastable(from, to);
    }

    private static Overload interval(int n, SqlType a, Fn.F1 fn) {
        if (n != 1 || !(a.base() == Base.INTERVAL || a.base() == Base.UNKNOWN) || a.array()) return null;
        return new Overload(List.of(SqlType.INTERVAL), SqlType.INTERVAL, fn);
    }
}
