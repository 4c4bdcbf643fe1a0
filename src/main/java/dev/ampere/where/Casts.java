package dev.ampere.where;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

import dev.ampere.where.SqlType.Base;

/**
 * Conversions between SQL types: which are implicit (Postgres applies them silently while resolving operators:
 * numeric promotion int2 → … → float8, date → timestamp(tz), timestamp → timestamptz, text-ish → text) and which
 * an explicit {@code ::type} allows (the above plus narrowing numerics with rounding and range checks, text in and
 * out of every type, bool ↔ int4, enum ↔ text, element-wise array casts).
 *
 * <p>Stateless.
 */
final class Casts {
    private Casts() {}

    static boolean implicitlyCastable(SqlType from, SqlType to) {
        if (from.equals(to)) return true;
        if (from.array() || to.array()) return false;
        if (from.numericRank() >= 0 && to.numericRank() >= 0) return from.numericRank() < to.numericRank();
        return switch (from.base()) {
            case DATE -> to.base() == Base.TIMESTAMP || to.base() == Base.TIMESTAMPTZ;
            case TIMESTAMP -> to.base() == Base.TIMESTAMPTZ;
            default -> false;
        };
    }

    /** The conversion function for a cast, or null when Postgres (or Ampere) has no such cast. */
    static Fn.F1 cast(SqlType from, SqlType to) {
        if (from.equals(to)) return v -> v;
        if (to.base() == Base.TEXT && !to.array()) {
            if (from.equals(SqlType.BOOL)) return v -> ((Boolean) v) ? "true" : "false";
            return v -> Values.format(from, v);
        }
        if (from.base() == Base.TEXT && !from.array() || from.base() == Base.UNKNOWN) return v -> Values.parse(to, (String) v);
        if (from.array() && to.array()) {
            Fn.F1 element = scalar(from.element(), to.element());
            if (element == null) return null;
            return v -> {
                PgArray a = (PgArray) v;
                Object[] out = new Object[a.size()];
                for (int i = 0; i < out.length; i++) out[i] = a.items()[i] == null ? null : element.apply(a.items()[i]);
                return new PgArray(a.dims(), a.lowerBounds(), out);
            };
        }
        if (from.array() || to.array()) return null;
        return scalar(from, to);
    }

    private static Fn.F1 scalar(SqlType from, SqlType to) {
        if (from.equals(to)) return v -> v;
        if (to.base() == Base.TEXT) return v -> Values.format(from, v);
        if (from.base() == Base.TEXT) return v -> Values.parseScalar(to.base(), (String) v);
        if (from.base() == Base.ENUM && to.base() == Base.ENUM) return null;
        if (from.numericRank() >= 0 && to.numericRank() >= 0) return numeric(from.base(), to.base());
        return switch (from.base()) {
            case BOOL -> to.base() == Base.INT4 ? v -> ((Boolean) v) ? 1L : 0L : null;
            case INT4 -> to.base() == Base.BOOL ? v -> ((Long) v) != 0 : null;
            case DATE -> switch (to.base()) {
                case TIMESTAMP -> v -> dateToTimestamp((LocalDate) v);
                case TIMESTAMPTZ -> v -> timestampToTz(dateToTimestamp((LocalDate) v));
                default -> null;
            };
            case TIMESTAMP -> switch (to.base()) {
                case TIMESTAMPTZ -> v -> timestampToTz((LocalDateTime) v);
                case DATE -> v -> timestampToDate((LocalDateTime) v);
                case TIME -> v -> finite((LocalDateTime) v).toLocalTime();
                default -> null;
            };
            case TIMESTAMPTZ -> switch (to.base()) {
                case TIMESTAMP -> v -> tzToTimestamp((Instant) v);
                case DATE -> v -> timestampToDate(tzToTimestamp((Instant) v));
                case TIME -> v -> finite(tzToTimestamp((Instant) v)).toLocalTime();
                default -> null;
            };
            default -> null;
        };
    }

    private static Fn.F1 numeric(Base from, Base to) {
        return switch (to) {
            case INT2, INT4, INT8 -> {
                int bits = to == Base.INT2 ? 16 : to == Base.INT4 ? 32 : 64;
                yield switch (from) {
                    case INT2, INT4, INT8 -> v -> checked((Long) v, bits);
                    case NUMERIC -> v -> numericToInt((BigDecimal) v, bits);
                    default -> v -> floatToInt((Double) v, bits);
                };
            }
            case NUMERIC -> switch (from) {
                case INT2, INT4, INT8 -> v -> BigDecimal.valueOf((Long) v);
                default -> v -> floatToNumeric((Double) v);
            };
            case FLOAT4 -> switch (from) {
                case INT2, INT4, INT8 -> v -> (double) (float) (long) (Long) v;
                case NUMERIC -> v -> (double) ((BigDecimal) v).floatValue();
                default -> v -> (double) (float) (double) (Double) v;
            };
            default -> switch (from) {
                case INT2, INT4, INT8 -> v -> (double) (long) (Long) v;
                case NUMERIC -> v -> ((BigDecimal) v).doubleValue();
                default -> v -> v;
            };
        };
    }

    private static Long checked(long v, int bits) {
        try {
            return Arith.checkInt(v, bits);
        } catch (EvalException e) {
            throw Arith.outOfRange(Arith.intName(bits));
        }
    }

    private static Long numericToInt(BigDecimal d, int bits) {
        BigDecimal r = d.setScale(0, RoundingMode.HALF_UP);
        if (r.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) throw Arith.outOfRange(Arith.intName(bits));
        return checked(r.longValue(), bits);
    }

    private static Long floatToInt(double d, int bits) {
        if (Double.isNaN(d) || Double.isInfinite(d)) throw Arith.outOfRange(Arith.intName(bits));
        double r = Math.rint(d);
        if (r < -9.223372036854775808E18 || r >= 9.223372036854775808E18) throw Arith.outOfRange(Arith.intName(bits));
        return checked((long) r, bits);
    }

    private static BigDecimal floatToNumeric(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) throw new EvalException("cannot convert NaN or Infinity to numeric");
        return new BigDecimal(Values.formatFloat(d, false).replace("e", "E"));
    }

    static LocalDateTime dateToTimestamp(LocalDate d) {
        if (d.equals(LocalDate.MAX)) return LocalDateTime.MAX;
        if (d.equals(LocalDate.MIN)) return LocalDateTime.MIN;
        return d.atStartOfDay();
    }

    static Instant timestampToTz(LocalDateTime t) {
        if (t.equals(LocalDateTime.MAX)) return Instant.MAX;
        if (t.equals(LocalDateTime.MIN)) return Instant.MIN;
        return t.toInstant(ZoneOffset.UTC);
    }

    static LocalDateTime tzToTimestamp(Instant i) {
        if (i.equals(Instant.MAX)) return LocalDateTime.MAX;
        if (i.equals(Instant.MIN)) return LocalDateTime.MIN;
        return LocalDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static LocalDate timestampToDate(LocalDateTime t) {
        if (t.equals(LocalDateTime.MAX)) return LocalDate.MAX;
        if (t.equals(LocalDateTime.MIN)) return LocalDate.MIN;
        return t.toLocalDate();
    }

    private static LocalDateTime finite(LocalDateTime t) {
        if (t.equals(LocalDateTime.MAX) || t.equals(LocalDateTime.MIN)) throw new EvalException("timestamp out of range");
        return t;
    }
}
