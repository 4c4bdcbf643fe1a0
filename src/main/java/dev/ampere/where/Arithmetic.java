package dev.ampere.where;

import java.math.BigDecimal;

import dev.ampere.where.SqlType.Base;

/**
 * Numeric operator resolution and implementations: integer results keep the wider integer type and fail on
 * overflow, integer and numeric mix to numeric, anything with float8 (or float4 with another type) gives float8,
 * {@code ^} on integers is float8 as in Postgres, {@code %} is undefined on floats. Part of {@link Operators}.
 *
 * <p>Stateless.
 */
final class Arithmetic {
    private Arithmetic() {}

    static Operators.Binary numeric(String op, SqlType l, SqlType r) {
        SqlType common = l.numericRank() >= r.numericRank() ? l : r;
        // float4 mixed with any other numeric type resolves to the float8 operators (float8 is preferred).
        if ((l.base() == Base.FLOAT4) != (r.base() == Base.FLOAT4)) common = SqlType.FLOAT8;
        if (op.equals("^")) {
            common = common.base() == Base.NUMERIC ? SqlType.NUMERIC : SqlType.FLOAT8;
        }
        Fn.F2 fn = switch (common.base()) {
            case INT2, INT4, INT8 -> integer(op, bits(common));
            case NUMERIC -> numeric(op);
            default -> floating(op, common.base() == Base.FLOAT4);
        };
        return fn == null ? null : new Operators.Binary(common, common, common, fn);
    }

    static int bits(SqlType t) {
        return t.base() == Base.INT2 ? 16 : t.base() == Base.INT4 ? 32 : 64;
    }

    private static Fn.F2 integer(String op, int bits) {
        return switch (op) {
            case "+" -> (a, b) -> Arith.add((Long) a, (Long) b, bits);
            case "-" -> (a, b) -> Arith.sub((Long) a, (Long) b, bits);
            case "*" -> (a, b) -> Arith.mul((Long) a, (Long) b, bits);
            case "/" -> (a, b) -> Arith.div((Long) a, (Long) b, bits);
            case "%" -> (a, b) -> Arith.mod((Long) a, (Long) b);
            default -> null;
        };
    }

    private static Fn.F2 numeric(String op) {
        return switch (op) {
            case "+" -> (a, b) -> Arith.numeric(((BigDecimal) a).add((BigDecimal) b));
            case "-" -> (a, b) -> Arith.numeric(((BigDecimal) a).subtract((BigDecimal) b));
            case "*" -> (a, b) -> Arith.numeric(((BigDecimal) a).multiply((BigDecimal) b));
            case "/" -> (a, b) -> Arith.ndiv((BigDecimal) a, (BigDecimal) b);
            case "%" -> (a, b) -> Arith.nmod((BigDecimal) a, (BigDecimal) b);
            default -> (a, b) -> Arith.npow((BigDecimal) a, (BigDecimal) b);
        };
    }

    private static Fn.F2 floating(String op, boolean float4) {
        Fn.F2 f = switch (op) {
            case "+" -> (a, b) -> Arith.fadd((Double) a, (Double) b);
            case "-" -> (a, b) -> Arith.fsub((Double) a, (Double) b);
            case "*" -> (a, b) -> Arith.fmul((Double) a, (Double) b);
            case "/" -> (a, b) -> Arith.fdiv((Double) a, (Double) b);
            case "^" -> (a, b) -> Arith.fpow((Double) a, (Double) b);
            default -> null;
        };
        if (f == null || !float4) return f;
        return (a, b) -> {
            double r = (Double) f.apply(a, b);
            float narrowed = (float) r;
            if (Float.isInfinite(narrowed) && !Double.isInfinite(r)) throw new EvalException("value out of range: overflow");
            return (double) narrowed;
        };
    }

    static Operators.Binary bitwise(String op, SqlType l, SqlType r) {
        if (!l.isInteger() || !r.isInteger()) return null;
        if (op.equals("<<") || op.equals(">>")) {
            int bits = bits(l);
            Fn.F2 fn = op.equals("<<")
                    ? (a, b) -> shift((Long) a << ((Long) b & (bits - 1)), bits)
                    : (a, b) -> (Long) a >> ((Long) b & (bits - 1));
            return new Operators.Binary(l, SqlType.INT4, l, fn);
        }
        SqlType common = l.numericRank() >= r.numericRank() ? l : r;
        Fn.F2 fn = switch (op) {
            case "&" -> (a, b) -> (Long) a & (Long) b;
            case "|" -> (a, b) -> (Long) a | (Long) b;
            default -> (a, b) -> (Long) a ^ (Long) b;
        };
        return new Operators.Binary(common, common, common, fn);
    }

    private static long shift(long v, int bits) {
        return bits == 64 ? v : bits == 32 ? (long) (int) v : (long) (short) v;
    }

    static Fn.F1 negate(SqlType t) {
        return switch (t.base()) {
            case INT2, INT4, INT8 -> {
                int bits = bits(t);
                yield v -> Arith.neg((Long) v, bits);
            }
            case NUMERIC -> v -> ((BigDecimal) v).negate();
            default -> v -> -(Double) v;
        };
    }

    static Fn.F1 abs(SqlType t) {
        return switch (t.base()) {
            case INT2, INT4, INT8 -> {
                int bits = bits(t);
                yield v -> Arith.abs((Long) v, bits);
            }
            case NUMERIC -> v -> ((BigDecimal) v).abs();
            default -> v -> Math.abs((Double) v);
        };
    }
}
