package dev.ampere.where;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Locale;
import java.util.UUID;

/**
 * Text input, text output and ordering of scalar values, with Postgres semantics. Java representations: bool →
 * Boolean, int2/int4/int8 → Long, numeric → BigDecimal (NaN/Infinity unsupported: they fail to parse), float4/8 →
 * Double, text/enum → String, uuid → UUID, date → LocalDate, time → LocalTime, timestamp → LocalDateTime,
 * timestamptz → Instant (UTC), interval → {@link PgInterval}, arrays → {@link PgArray}.
 *
 * <p>Text ordering is by Unicode code point, which equals byte order of UTF-8 and is what the {@code C} and
 * {@code C.UTF-8} collations do (the test database runs {@code C.UTF-8}); databases with other collations would
 * order text differently in Postgres. Floats order as Postgres does: {@code -0 = 0}, NaN equals NaN and is
 * greater than every other value.
 *
 * <p>Stateless.
 */
final class Values {
    private Values() {}

    static Object parse(SqlType type, String text) {
        if (type.array()) return PgArray.parse(text, s -> parseScalar(type.base(), s));
        return parseScalar(type.base(), text);
    }

    static Object parseScalar(SqlType.Base base, String s) {
        return switch (base) {
            case BOOL -> parseBool(s);
            case INT2 -> parseInt(s, 16, "smallint");
            case INT4 -> parseInt(s, 32, "integer");
            case INT8 -> parseInt(s, 64, "bigint");
            case NUMERIC -> parseNumeric(s);
            case FLOAT4 -> (double) (float) parseFloat(s, "real");
            case FLOAT8 -> parseFloat(s, "double precision");
            case TEXT, ENUM, UNKNOWN -> s;
            case UUID -> parseUuid(s);
            case DATE -> DateTimes.parseDate(s);
            case TIME -> DateTimes.parseTime(s);
            case TIMESTAMP -> DateTimes.parseTimestamp(s);
            case TIMESTAMPTZ -> DateTimes.parseTimestamptz(s);
            case INTERVAL -> PgInterval.parse(s);
        };
    }

    static String format(SqlType type, Object v) {
        if (v instanceof PgArray a) return a.format(e -> formatScalar(type.base(), e));
        return formatScalar(type.base(), v);
    }

    static String formatScalar(SqlType.Base base, Object v) {
        return switch (v) {
            case Boolean b -> b ? "t" : "f";
            case Long l -> l.toString();
            case BigDecimal d -> d.toPlainString();
            case Double d -> formatFloat(d, base == SqlType.Base.FLOAT4);
            case LocalDate d -> DateTimes.formatDate(d);
            case LocalTime t -> DateTimes.formatTime(t);
            case LocalDateTime t -> DateTimes.formatTimestamp(t);
            case Instant i -> DateTimes.formatTimestamptz(i);
            default -> v.toString();
        };
    }

    static Boolean parseBool(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "t", "tr", "tru", "true", "y", "ye", "yes", "on", "1" -> Boolean.TRUE;
            case "f", "fa", "fal", "fals", "false", "n", "no", "of", "off", "0" -> Boolean.FALSE;
            default -> throw new EvalException("invalid input syntax for type boolean: \"" + s + "\"");
        };
    }

    /** Digits before and after the point, a sign, a point and an exponent: no valid numeric text is longer. */
    private static final int NUMERIC_TEXT_LIMIT = Arith.NUMERIC_MAX_INTEGER_DIGITS + Arith.NUMERIC_MAX_SCALE + 32;

    /** Above this many characters numeric text is parsed by halves ({@link LongDecimals}). */
    private static final int LONG_NUMERIC = 2_000;

    private static String withoutLeadingZeros(String t) {
        int sign = !t.isEmpty() && (t.charAt(0) == '+' || t.charAt(0) == '-') ? 1 : 0;
        int i = sign;
        while (i + 1 < t.length() && t.charAt(i) == '0' && Character.isDigit(t.charAt(i + 1))) i++;
        return t.substring(0, sign) + t.substring(i);
    }

    static Long parseInt(String s, int bits, String typeName) {
        String t = s.trim();
        long v;
        try {
            v = Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
        } catch (NumberFormatException e) {
            if (!t.isEmpty() && t.chars().skip(t.charAt(0) == '-' || t.charAt(0) == '+' ? 1 : 0).allMatch(Character::isDigit)
                    && t.length() > 1) {
                throw new EvalException("value \"" + s + "\" is out of range for type " + typeName);
            }
            throw new EvalException("invalid input syntax for type " + typeName + ": \"" + s + "\"");
        }
        return Long.valueOf(Arith.checkInt(v, bits));
    }

    static BigDecimal parseNumeric(String s) {
        // Parsing a decimal string costs time quadratic in its digits: anything longer than Postgres's numeric can
        // hold, once leading zeros are skipped, overflows before it is parsed.
        String t = s.trim();
        if (t.length() > NUMERIC_TEXT_LIMIT) t = withoutLeadingZeros(t);
        if (t.length() > NUMERIC_TEXT_LIMIT) throw Arith.numericOverflow();
        try {
            return Arith.numericInput(t.length() > LONG_NUMERIC ? LongDecimals.parse(t) : new BigDecimal(t));
        } catch (NumberFormatException e) {
            throw new EvalException("invalid input syntax for type numeric: \"" + s + "\"");
        }
    }

    static double parseFloat(String s, String typeName) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "nan": return Double.NaN;
            case "infinity", "+infinity", "inf", "+inf": return Double.POSITIVE_INFINITY;
            case "-infinity", "-inf": return Double.NEGATIVE_INFINITY;
            default: break;
        }
        if (t.isEmpty() || !(Character.isDigit(t.charAt(t.length() - 1)) || t.endsWith("."))) {
            throw new EvalException("invalid input syntax for type " + typeName + ": \"" + s + "\"");
        }
        try {
            double d = Double.parseDouble(t);
            if (Double.isInfinite(d)) throw new EvalException("\"" + s + "\" is out of range for type " + typeName);
            return d;
        } catch (NumberFormatException e) {
            throw new EvalException("invalid input syntax for type " + typeName + ": \"" + s + "\"");
        }
    }

    /** Postgres's shortest-exact float output ({@code extra_float_digits = 1}): 1.5, 1e+20, 1e-05, NaN. */
    static String formatFloat(double d, boolean float4) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (d == 0) return (1 / d < 0) ? "-0" : "0";
        BigDecimal exact = new BigDecimal(float4 ? Float.toString((float) d) : Double.toString(d)).stripTrailingZeros();
        int exp = exact.precision() - exact.scale() - 1;
        if (exp >= -4 && exp < (float4 ? 6 : 15)) return exact.toPlainString();
        String digits = exact.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String e = String.format(Locale.ROOT, "%02d", Math.abs(exp));
        return (exact.signum() < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + e;
    }

    static UUID parseUuid(String s) {
        String t = s.trim();
        if (t.startsWith("{") && t.endsWith("}")) t = t.substring(1, t.length() - 1);
        String hex = t.replace("-", "");
        if (hex.length() != 32 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new EvalException("invalid input syntax for type uuid: \"" + s + "\"");
        }
        return new UUID(Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16), 16));
    }

    /** Postgres ordering of two non-null values of the same Java representation. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compare(Object a, Object b) {
        return switch (a) {
            case Long x -> Long.compare(x, (Long) b);
            case Double x -> compareFloat(x, (Double) b);
            case String x -> compareText(x, (String) b);
            case UUID x -> {
                UUID y = (UUID) b;
                int c = Long.compareUnsigned(x.getMostSignificantBits(), y.getMostSignificantBits());
                yield c != 0 ? c : Long.compareUnsigned(x.getLeastSignificantBits(), y.getLeastSignificantBits());
            }
            case PgArray x -> ArrayOps.compare(x, (PgArray) b);
            default -> ((Comparable) a).compareTo(b);
        };
    }

    static int compareFloat(double a, double b) {
        if (a < b) return -1;
        if (a > b) return 1;
        if (a == b) return 0;
        boolean an = Double.isNaN(a), bn = Double.isNaN(b);
        return an == bn ? 0 : an ? 1 : -1;
    }

    /** Code point order (UTF-8 byte order), not UTF-16 unit order. */
    static int compareText(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i), y = b.charAt(i);
            if (x != y) {
                if (Character.isSurrogate(x) || Character.isSurrogate(y)) {
                    return Integer.compare(a.codePointAt(i), b.codePointAt(i));
                }
                return x - y;
            }
        }
        return a.length() - b.length();
    }
}
