package dev.ampere.where;

import java.util.List;
import java.util.Random;

/**
 * Generates random boolean where-clause texts over the differential-test table's columns (see
 * {@link DifferentialTable}): comparisons within a type category, arithmetic, casts, functions, LIKE, IN,
 * BETWEEN, IS tests, ANY/ALL, array operators and subscripts, date/interval arithmetic, combined with AND/OR/NOT.
 * Literals include edge values (integer limits, NaN, ±Infinity, -0, odd text).
 *
 * <p>Not thread-safe (one Random).
 */
final class RandomExpressions {
    enum T { INT2, INT4, INT8, NUMERIC, FLOAT8, TEXT, BOOL, UUID, DATE, TIMESTAMP, TIMESTAMPTZ, INTERVAL, INTARR, TEXTARR, ENUM }

    private static final List<T> COMPARABLE = List.of(T.INT2, T.INT4, T.INT8, T.NUMERIC, T.FLOAT8, T.TEXT, T.BOOL, T.UUID,
            T.DATE, T.TIMESTAMP, T.TIMESTAMPTZ, T.INTERVAL, T.INTARR, T.TEXTARR, T.ENUM);
    private static final String[] TEXTS = {"", "a", "A", "abc", "ab%", "a_c", "it's", "back\\slash", "é", "zé", "日本",
            "𝄞", "\uE000", "ÉΣß", " sp ", "NULL", "{x}", "a,b", "\"q\""};

    private final Random rnd;

    RandomExpressions(long seed) {
        this.rnd = new Random(seed);
    }

    String bool(int depth) {
        int k = rnd.nextInt(depth <= 0 ? 9 : 13);
        return switch (k) {
            case 0, 1, 2 -> comparison(depth);
            case 3 -> value(pick(COMPARABLE), depth) + (rnd.nextBoolean() ? " IS NULL" : " IS NOT NULL");
            case 4 -> inList(depth);
            case 5 -> between(depth);
            case 6 -> like(depth);
            case 7 -> arrayPredicate(depth);
            case 8 -> "b" + pick(List.of(" IS TRUE", " IS NOT TRUE", " IS FALSE", " IS UNKNOWN", " IS NOT UNKNOWN", "", " = true"));
            case 9 -> bool(depth - 1) + " AND " + bool(depth - 1);
            case 10 -> "(" + bool(depth - 1) + " OR " + bool(depth - 1) + ")";
            case 11 -> "NOT (" + bool(depth - 1) + ")";
            default -> {
                T t = pick(COMPARABLE);
                yield value(t, depth - 1) + (rnd.nextBoolean() ? " IS DISTINCT FROM " : " IS NOT DISTINCT FROM ") + value(t, depth - 1);
            }
        };
    }

    private String comparison(int depth) {
        T t = pick(COMPARABLE);
        String op = switch (t) {
            case ENUM -> pick(List.of("=", "<>"));
            default -> pick(List.of("=", "<>", "<", ">", "<=", ">=", "!="));
        };
        T other = partner(t);
        return value(t, depth - 1) + " " + op + " " + value(other, depth - 1);
    }

    private T partner(T t) {
        if (!rnd.nextBoolean()) return t;
        return switch (t) {
            case INT2, INT4, INT8, NUMERIC, FLOAT8 -> pick(List.of(T.INT2, T.INT4, T.INT8, T.NUMERIC, T.FLOAT8));
            case DATE, TIMESTAMP, TIMESTAMPTZ -> pick(List.of(T.DATE, T.TIMESTAMP, T.TIMESTAMPTZ));
            default -> t;
        };
    }

    private String inList(int depth) {
        T t = pick(List.of(T.INT4, T.INT8, T.TEXT, T.NUMERIC, T.UUID, T.DATE, T.ENUM, T.FLOAT8));
        StringBuilder sb = new StringBuilder(value(t, depth - 1)).append(rnd.nextInt(4) == 0 ? " NOT IN (" : " IN (");
        int n = 1 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) sb.append(i > 0 ? ", " : "").append(rnd.nextInt(8) == 0 ? "NULL" : literal(t));
        return sb.append(')').toString();
    }

    private String between(int depth) {
        T t = pick(List.of(T.INT4, T.NUMERIC, T.FLOAT8, T.TEXT, T.DATE, T.TIMESTAMP, T.INT8));
        String kw = pick(List.of(" BETWEEN ", " NOT BETWEEN ", " BETWEEN SYMMETRIC ", " NOT BETWEEN SYMMETRIC "));
        return value(t, depth - 1) + kw + literal(t) + " AND " + literal(t);
    }

    private String like(int depth) {
        String[] patterns = {"'a%'", "'%b%'", "'_'", "'%'", "'A%'", "'%é'", "'it''s'", "'a\\_c'", "'%\\%'", "'ab!%' ESCAPE '!'", "'%c'", "'%É%'", "'%ab%'", "'abc'", "'zé%'", "'%𝄞%'", "'Σ%'"};
        String op = pick(List.of(" LIKE ", " NOT LIKE ", " ILIKE ", " NOT ILIKE "));
        return text(depth - 1) + op + patterns[rnd.nextInt(patterns.length)];
    }

    private String arrayPredicate(int depth) {
        return switch (rnd.nextInt(9)) {
            case 0 -> literal(T.INT4) + " = ANY (ia)";
            case 1 -> "ia @> " + literal(T.INTARR);
            case 2 -> "ia <@ " + literal(T.INTARR);
            case 3 -> "ia && " + literal(T.INTARR);
            case 4 -> "ta @> " + literal(T.TEXTARR);
            case 5 -> literal(T.TEXT) + " = ANY (ta)";
            case 6 -> "i4 " + pick(List.of("<", ">", "=", "<>")) + pick(List.of(" ALL (ia)", " ANY (ia)", " SOME (ia)"));
            case 7 -> "t LIKE ANY (ta)";
            default -> "array_ndims(ia) = " + (1 + rnd.nextInt(2));
        };
    }

    private String text(int depth) {
        return value(T.TEXT, depth);
    }

    String value(T t, int depth) {
        if (depth <= 0 || rnd.nextInt(3) == 0) return rnd.nextInt(3) == 0 ? literal(t) : column(t);
        return switch (t) {
            case INT2, INT4, INT8 -> intExpr(t, depth);
            case NUMERIC -> pick(List.of(
                    "(" + value(T.NUMERIC, depth - 1) + " " + pick(List.of("+", "-", "*", "/", "%")) + " " + value(pick(List.of(T.NUMERIC, T.INT4)), depth - 1) + ")",
                    "abs(" + value(T.NUMERIC, depth - 1) + ")", "(- " + column(T.NUMERIC) + ")", "(i4::numeric / 7)",
                    "coalesce(n, " + literal(T.NUMERIC) + ")", "greatest(n, " + literal(T.NUMERIC) + ")"));
            case FLOAT8 -> pick(List.of(
                    "(" + value(T.FLOAT8, depth - 1) + " " + pick(List.of("+", "-", "*", "/")) + " " + value(pick(List.of(T.FLOAT8, T.INT4)), depth - 1) + ")",
                    "(" + column(T.INT4) + " ^ 2)", "(|/ abs(" + column(T.FLOAT8) + "))", "(@ " + column(T.FLOAT8) + ")",
                    "least(f, " + literal(T.FLOAT8) + ")", "n::float8", "i8::float8"));
            case TEXT -> pick(List.of("lower(t)", "upper(t)", "(t || 'x')", "(t || i4)", "concat(t, i4, NULL, b)",
                    "coalesce(t, 'zz')", "e::text", "i4::text", "ta[1]", "ta[2]", "n::text", "f::text", "d::text",
                    "ts::text", "iv::text", "upper(v)", "(v || t)", "u::text", "tz::text", "b::text"));
            case BOOL -> "(" + comparison(depth - 1) + ")";
            case DATE -> pick(List.of("(d + " + rnd.nextInt(100) + ")", "(d - 3)", "ts::date", "coalesce(d, '2020-02-29')"));
            case TIMESTAMP -> pick(List.of("(ts + iv)", "(d + iv)", "(ts - interval '1 day')", "d::timestamp",
                    "(ts + '1 mon')", "(d + time '12:34:56')", "tz::timestamp",
                    "(tz AT TIME ZONE 'Europe/Berlin')", "timezone('America/New_York', tz)"));
            case TIMESTAMPTZ -> pick(List.of("(tz + iv)", "(tz - '2 hours'::interval)", "ts::timestamptz", "d::timestamptz",
                    "(ts AT TIME ZONE 'Asia/Kolkata')", "timezone('utc', ts)"));
            case INTERVAL -> pick(List.of("(ts - " + literal(T.TIMESTAMP) + ")", "justify_days(iv)", "justify_hours(iv)",
                    "justify_interval(iv)", "(iv + iv)", "(- iv)", "(iv - interval 'P1D')", "(iv * 2.5)", "(iv / 3)", "(1.5::float8 * iv)", "(iv * i2)", "(iv / 0.7::float8)", "(tz - " + literal(T.TIMESTAMPTZ) + ")"));
            case INTARR -> pick(List.of("(ia || 5)", "(ia || ia)", "array_append(ia, 3)", "array_prepend(0, ia)",
                    "ia[1:2]", "ia[2:]", "ARRAY[i4, 1]", "(ia || NULL::int4)"));
            case TEXTARR -> pick(List.of("(ta || 'x'::text)", "ta[1:1]", "ARRAY[t, 'b']"));
            case UUID -> column(T.UUID);
            case ENUM -> column(T.ENUM);
        };
    }

    private String intExpr(T t, int depth) {
        String col = column(t);
        return switch (rnd.nextInt(9)) {
            case 0 -> "(" + col + " + " + value(pick(List.of(T.INT2, T.INT4, T.INT8)), depth - 1) + ")";
            case 1 -> "(" + col + " - " + literal(T.INT4) + ")";
            case 2 -> "(" + col + " * " + value(pick(List.of(T.INT2, T.INT4)), depth - 1) + ")";
            case 3 -> "(" + col + " / " + literal(pick(List.of(T.INT2, T.INT4))) + ")";
            case 4 -> "(" + col + " % " + (rnd.nextInt(7) - 3) + ")";
            case 5 -> "(" + col + " " + pick(List.of("&", "|", "#")) + " " + rnd.nextInt(16) + ")";
            case 6 -> pick(List.of("array_length(ia, 1)", "cardinality(ia)", "ia[1]", "ia[1][1]", "length(t)", "(d - '2020-01-01')", "(- " + col + ")", "abs(" + col + ")", "(~ " + col + ")"));
            case 7 -> pick(List.of("n::int4", "f::int8", "n::int2", "b::int4", "'12'::int2"));
            default -> "coalesce(" + col + ", " + literal(t) + ")";
        };
    }

    String column(T t) {
        return switch (t) {
            case INT2 -> "i2";
            case INT4 -> pick(List.of("i4", "id", "p"));
            case INT8 -> "i8";
            case NUMERIC -> "n";
            case FLOAT8 -> "f";
            case TEXT -> pick(List.of("t", "t", "v"));
            case BOOL -> "b";
            case UUID -> "u";
            case DATE -> "d";
            case TIMESTAMP -> "ts";
            case TIMESTAMPTZ -> "tz";
            case INTERVAL -> "iv";
            case INTARR -> "ia";
            case TEXTARR -> "ta";
            case ENUM -> "e";
        };
    }

    String literal(T t) {
        return switch (t) {
            case INT2 -> pick(List.of("0", "1", "-1", "32767", "-32768", "7", "'5'::int2"));
            case INT4 -> pick(List.of("0", "1", "-1", "2", "3", "42", "2147483647", "-2147483648", "'7'"));
            case INT8 -> pick(List.of("0", "10", "9223372036854775807", "-9223372036854775808", "5000000000", "'3'::int8"));
            case NUMERIC -> pick(List.of("1.5", "0.0", "-2.25", "100", "1.50", "123456789012345678901234567890", "'3.14159'::numeric", "1e3", "0.001"));
            case FLOAT8 -> pick(List.of("'NaN'::float8", "'Infinity'::float8", "'-Infinity'::float8", "1.5::float8", "'-0'::float8", "0.1::float8", "1e300::float8", "2.5e-5::float8"));
            case TEXT -> "'" + TEXTS[rnd.nextInt(TEXTS.length)].replace("'", "''") + "'";
            case BOOL -> pick(List.of("true", "false", "'t'", "'yes'"));
            case UUID -> pick(List.of("'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid",
                    "'7fffffff-0000-0000-8000-000000000000'", "'{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}'"));
            case DATE -> pick(List.of("'2024-02-29'::date", "date '2020-01-01'", "'1999-12-31'", "'infinity'::date", "'2024-03-01'"));
            case TIMESTAMP -> pick(List.of("'2024-02-29 12:00:00'::timestamp", "timestamp '2020-01-01 00:00:00.5'",
                    "'2024-01-31 23:59:59.999999'", "'-infinity'::timestamp", "'2020-01-01'::timestamp"));
            case TIMESTAMPTZ -> pick(List.of("'2024-02-29 12:00:00+02'::timestamptz", "'2020-01-01 00:00:00Z'::timestamptz",
                    "'2024-01-31 23:59:59.5-05:30'", "'infinity'::timestamptz"));
            case INTERVAL -> pick(List.of("'1 day'::interval", "interval '24 hours'", "'1 mon'", "'30 days'::interval",
                    "'P1DT2H'::interval", "'-1 days +02:00:00'::interval", "'1 year 2 mons 3 days 04:05:06.5'::interval", "'0'::interval"));
            case INTARR -> pick(List.of("'{1,2}'::int4[]", "'{}'::int4[]", "'{NULL,3}'::int4[]", "ARRAY[2, 3]", "'{{1,2},{3,4}}'::int4[]", "'{5}'"));
            case TEXTARR -> pick(List.of("'{a,\"b c\"}'::text[]", "'{}'::text[]", "ARRAY['a', NULL]", "'{\"NULL\"}'::text[]"));
            case ENUM -> pick(List.of("'sad'", "'ok'", "'happy'"));
        };
    }

    private <X> X pick(List<X> xs) {
        return xs.get(rnd.nextInt(xs.size()));
    }
}
