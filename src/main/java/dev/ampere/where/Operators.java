package dev.ampere.where;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;

import dev.ampere.where.SqlType.Base;

/**
 * Operator resolution and implementations: given an operator and its argument types (after unknown literals took
 * their type from the other side, as Postgres does), picks the types the arguments are implicitly cast to, the
 * result type and the function. Covers comparisons, arithmetic with Postgres's numeric promotion, bitwise integer
 * operators, date/time/interval arithmetic, text and array {@code ||}, array containment and overlap, and LIKE.
 *
 * <p>Stateless.
 */
final class Operators {
    private Operators() {}

    /** A resolved binary operator: cast the arguments to {@code left}/{@code right}, apply {@code fn}. */
    record Binary(SqlType left, SqlType right, SqlType result, Fn.F2 fn) {}

    record Unary(SqlType arg, SqlType result, Fn.F1 fn) {}

    static boolean isComparison(String op) {
        return switch (op) {
            case "=", "<>", "<", ">", "<=", ">=" -> true;
            default -> false;
        };
    }

    /** Resolves unknown-typed sides the way Postgres does for binary operators. */
    static SqlType[] resolveUnknowns(String op, SqlType l, SqlType r) {
        boolean lu = l.base() == Base.UNKNOWN, ru = r.base() == Base.UNKNOWN;
        if (lu && ru) return new SqlType[]{SqlType.TEXT, SqlType.TEXT};
        if (lu) return new SqlType[]{guess(op, r, true), r};
        if (ru) return new SqlType[]{l, guess(op, l, false)};
        return new SqlType[]{l, r};
    }

    private static SqlType guess(String op, SqlType known, boolean unknownOnLeft) {
        if (op.equals("||")) return known.array() ? known : SqlType.TEXT;
        if (op.startsWith("~~") || op.startsWith("!~~")) return SqlType.TEXT;
        if (!unknownOnLeft && (op.equals("+") || op.equals("-")) && !known.array()) {
            switch (known.base()) {
                case DATE, TIMESTAMP, TIMESTAMPTZ, TIME -> {
                    return SqlType.INTERVAL;
                }
                default -> { }
            }
        }
        return known;
    }

    static Binary binary(String op, SqlType l, SqlType r) {
        if (isComparison(op)) return comparison(op, l, r);
        return switch (op) {
            case "+", "-", "*", "/", "%", "^" -> {
                Binary b = l.isNumeric() && r.isNumeric() ? Arithmetic.numeric(op, l, r) : null;
                yield b != null ? b : temporal(op, l, r);
            }
            case "&", "|", "#", "<<", ">>" -> Arithmetic.bitwise(op, l, r);
            case "||" -> concat(l, r);
            case "@>", "<@", "&&" -> arrayPredicate(op, l, r);
            case "~~", "!~~", "~~*", "!~~*" -> like(op, l, r);
            default -> null;
        };
    }

    static SqlType commonType(SqlType l, SqlType r) {
        if (l.equals(r)) return l;
        if (l.isNumeric() && r.isNumeric()) return l.numericRank() >= r.numericRank() ? l : r;
        int lt = temporalRank(l), rt = temporalRank(r);
        if (lt >= 0 && rt >= 0) return lt >= rt ? l : r;
        return null;
    }

    private static int temporalRank(SqlType t) {
        if (t.array()) return -1;
        return switch (t.base()) {
            case DATE -> 0;
            case TIMESTAMP -> 1;
            case TIMESTAMPTZ -> 2;
            default -> -1;
        };
    }

    private static Binary comparison(String op, SqlType l, SqlType r) {
        SqlType common = commonType(l, r);
        if (common == null) return null;
        if (common.base() == Base.ENUM && !(op.equals("=") || op.equals("<>"))) return null;
        return new Binary(common, common, SqlType.BOOL, comparator(op));
    }

    static Fn.F2 comparator(String op) {
        return switch (op) {
            case "=" -> (a, b) -> Values.compare(a, b) == 0;
            case "<>" -> (a, b) -> Values.compare(a, b) != 0;
            case "<" -> (a, b) -> Values.compare(a, b) < 0;
            case ">" -> (a, b) -> Values.compare(a, b) > 0;
            case "<=" -> (a, b) -> Values.compare(a, b) <= 0;
            default -> (a, b) -> Values.compare(a, b) >= 0;
        };
    }

    private static Binary concat(SqlType l, SqlType r) {
        if (l.array() && r.array()) {
            return l.equals(r) ? new Binary(l, r, l, ArrayOps::concatNullable) : null;
        }
        if (l.array()) {
            return implicit(r, l.element()) ? new Binary(l, l.element(), l, (a, b) -> ArrayOps.append((PgArray) a, b)) : null;
        }
        if (r.array()) {
            return implicit(l, r.element()) ? new Binary(r.element(), r, r, (a, b) -> ArrayOps.prepend(a, (PgArray) b)) : null;
        }
        if (l.base() == Base.TEXT || r.base() == Base.TEXT) {
            return new Binary(SqlType.TEXT, SqlType.TEXT, SqlType.TEXT, (a, b) -> (String) a + b);
        }
        return null;
    }

    private static boolean implicit(SqlType from, SqlType to) {
        return Casts.implicitlyCastable(from, to);
    }

    private static Binary arrayPredicate(String op, SqlType l, SqlType r) {
        if (!l.array() || !l.equals(r)) return null;
        Fn.F2 fn = switch (op) {
            case "@>" -> (a, b) -> ArrayOps.contains((PgArray) a, (PgArray) b);
            case "<@" -> (a, b) -> ArrayOps.contains((PgArray) b, (PgArray) a);
            default -> (a, b) -> ArrayOps.overlaps((PgArray) a, (PgArray) b);
        };
        return new Binary(l, r, SqlType.BOOL, fn);
    }

    private static Binary like(String op, SqlType l, SqlType r) {
        if (!l.equals(SqlType.TEXT) || !r.equals(SqlType.TEXT)) return null;
        Fn.F2 fn = switch (op) {
            case "~~" -> (a, b) -> TextFns.like((String) a, (String) b, '\\');
            case "!~~" -> (a, b) -> !TextFns.like((String) a, (String) b, '\\');
            case "~~*" -> (a, b) -> TextFns.ilike((String) a, (String) b, '\\');
            default -> (a, b) -> !TextFns.ilike((String) a, (String) b, '\\');
        };
        return new Binary(l, r, SqlType.BOOL, fn);
    }

    private static Binary temporal(String op, SqlType l, SqlType r) {
        if (l.array() || r.array()) return null;
        Base a = l.base(), b = r.base();
        boolean plus = op.equals("+"), minus = op.equals("-");
        if (op.equals("*") && a == Base.INTERVAL && r.isNumeric()) {
            return new Binary(l, SqlType.FLOAT8, l, (x, y) -> IntervalArith.multiply((PgInterval) x, (Double) y));
        }
        if (op.equals("*") && b == Base.INTERVAL && l.isNumeric()) {
            return new Binary(SqlType.FLOAT8, r, r, (x, y) -> IntervalArith.multiply((PgInterval) y, (Double) x));
        }
        if (op.equals("/") && a == Base.INTERVAL && r.isNumeric()) {
            return new Binary(l, SqlType.FLOAT8, l, (x, y) -> IntervalArith.divide((PgInterval) x, (Double) y));
        }
        if (!plus && !minus) return null;
        SqlType ts = SqlType.TIMESTAMP, tz = SqlType.TIMESTAMPTZ, iv = SqlType.INTERVAL, d = SqlType.DATE;
        if (a == Base.DATE && r.isInteger()) {
            return new Binary(d, SqlType.INT4, d, plus ? (x, y) -> TimeArith.plusDays((LocalDate) x, (Long) y)
                    : (x, y) -> TimeArith.plusDays((LocalDate) x, -(Long) y));
        }
        if (plus && l.isInteger() && b == Base.DATE) {
            return new Binary(SqlType.INT4, d, d, (x, y) -> TimeArith.plusDays((LocalDate) y, (Long) x));
        }
        if (minus && a == Base.DATE && b == Base.DATE) {
            return new Binary(d, d, SqlType.INT4, (x, y) -> TimeArith.daysBetween((LocalDate) x, (LocalDate) y));
        }
        if (plus && ((a == Base.DATE && b == Base.TIME) || (a == Base.TIME && b == Base.DATE))) {
            boolean dateFirst = a == Base.DATE;
            return new Binary(l, r, ts, (x, y) -> dateFirst ? atTime((LocalDate) x, (LocalTime) y) : atTime((LocalDate) y, (LocalTime) x));
        }
        if (b == Base.INTERVAL && (a == Base.DATE || a == Base.TIMESTAMP)) {
            return new Binary(ts, iv, ts, (x, y) -> TimeArith.plus((LocalDateTime) x, signed((PgInterval) y, plus)));
        }
        if (plus && a == Base.INTERVAL && (b == Base.DATE || b == Base.TIMESTAMP)) {
            return new Binary(iv, ts, ts, (x, y) -> TimeArith.plus((LocalDateTime) y, (PgInterval) x));
        }
        if (b == Base.INTERVAL && a == Base.TIMESTAMPTZ) {
            return new Binary(tz, iv, tz, (x, y) -> TimeArith.plus((Instant) x, signed((PgInterval) y, plus)));
        }
        if (plus && a == Base.INTERVAL && b == Base.TIMESTAMPTZ) {
            return new Binary(iv, tz, tz, (x, y) -> TimeArith.plus((Instant) y, (PgInterval) x));
        }
        if (b == Base.INTERVAL && a == Base.TIME) {
            return new Binary(l, iv, l, (x, y) -> TimeArith.plus((LocalTime) x, signed((PgInterval) y, plus)));
        }
        if (a == Base.INTERVAL && b == Base.INTERVAL) {
            return new Binary(iv, iv, iv, (x, y) -> ((PgInterval) x).plus(signed((PgInterval) y, plus)));
        }
        if (minus) {
            SqlType common = commonType(l, r);
            if (common != null && common.base() == Base.TIMESTAMP) {
                return new Binary(ts, ts, iv, (x, y) -> TimeArith.minus((LocalDateTime) x, (LocalDateTime) y));
            }
            if (common != null && common.base() == Base.TIMESTAMPTZ) {
                return new Binary(tz, tz, iv, (x, y) -> TimeArith.minus((Instant) x, (Instant) y));
            }
            if (a == Base.TIME && b == Base.TIME) {
                return new Binary(l, r, iv, (x, y) -> TimeArith.minus((LocalTime) x, (LocalTime) y));
            }
        }
        return null;
    }

    private static LocalDateTime atTime(LocalDate d, LocalTime t) {
        if (d.equals(LocalDate.MAX) || d.equals(LocalDate.MIN)) return Casts.dateToTimestamp(d);
        return d.atTime(t);
    }

    private static PgInterval signed(PgInterval i, boolean plus) {
        try {
            return plus ? i : i.negate();
        } catch (ArithmeticException e) {
            throw new EvalException("interval out of range");
        }
    }

    static Unary unary(String op, SqlType t) {
        if (t.array()) return null;
        SqlType arg = t.base() == Base.UNKNOWN ? SqlType.NUMERIC : t;
        switch (op) {
            case "-" -> {
                if (arg.base() == Base.INTERVAL) return new Unary(arg, arg, v -> signed((PgInterval) v, false));
                if (!arg.isNumeric()) return null;
                return new Unary(arg, arg, Arithmetic.negate(arg));
            }
            case "+" -> {
                return arg.isNumeric() ? new Unary(arg, arg, v -> v) : null;
            }
            case "@" -> {
                return arg.isNumeric() ? new Unary(arg, arg, Arithmetic.abs(arg)) : null;
            }
            case "|/" -> {
                return arg.isNumeric() ? new Unary(SqlType.FLOAT8, SqlType.FLOAT8, v -> Arith.sqrt((Double) v)) : null;
            }
            case "||/" -> {
                return arg.isNumeric() ? new Unary(SqlType.FLOAT8, SqlType.FLOAT8, v -> Math.cbrt((Double) v)) : null;
            }
            case "~" -> {
                return arg.isInteger() ? new Unary(arg, arg, v -> ~(Long) v) : null;
            }
            default -> {
                return null;
            }
        }
    }

    static BigDecimal toNumeric(Object v) {
        return v instanceof Long l ? BigDecimal.valueOf(l) : (BigDecimal) v;
    }
}
