package dev.ampere.where;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * A Postgres {@code interval}: months, days and microseconds kept apart as Postgres does. Equality and ordering
 * follow Postgres ({@code interval_cmp}): both sides are reduced to one span with 30-day months and 24-hour days,
 * so {@code '1 mon' = '30 days'}. Text input accepts the postgres ({@code 1 day 02:00:00}), verbose and ISO 8601
 * ({@code P1DT2H}) forms; {@link #toString()} prints ISO 8601, which Postgres reads under every IntervalStyle.
 *
 * <p>Immutable.
 */
public record PgInterval(int months, int days, long micros) implements Comparable<PgInterval> {
    static final long USECS_PER_DAY = 86_400_000_000L;
    static final long USECS_PER_HOUR = 3_600_000_000L;

    BigInteger span() {
        return BigInteger.valueOf(months).multiply(BigInteger.valueOf(30L * USECS_PER_DAY))
                .add(BigInteger.valueOf(days).multiply(BigInteger.valueOf(USECS_PER_DAY)))
                .add(BigInteger.valueOf(micros));
    }

    @Override
    public int compareTo(PgInterval o) {
        return span().compareTo(o.span());
    }

    PgInterval plus(PgInterval o) {
        return new PgInterval(Math.addExact(months, o.months), Math.addExact(days, o.days), Math.addExact(micros, o.micros));
    }

    PgInterval negate() {
        return new PgInterval(Math.negateExact(months), Math.negateExact(days), Math.negateExact(micros));
    }

    PgInterval justifyDays() {
        int m = months + days / 30;
        int d = days % 30;
        if (m > 0 && d < 0) { d += 30; m--; } else if (m < 0 && d > 0) { d -= 30; m++; }
        return new PgInterval(m, d, micros);
    }

    PgInterval justifyHours() {
        long t = micros % USECS_PER_DAY;
        int d = Math.toIntExact(days + micros / USECS_PER_DAY);
        if (d > 0 && t < 0) { t += USECS_PER_DAY; d--; } else if (d < 0 && t > 0) { t -= USECS_PER_DAY; d++; }
        return new PgInterval(months, d, t);
    }

    PgInterval justifyInterval() {
        long m = months, d = days, t = micros;
        if ((d > 0 && t > 0) || (d < 0 && t < 0)) { m += d / 30; d -= (d / 30) * 30; }
        d += t / USECS_PER_DAY;
        t -= (t / USECS_PER_DAY) * USECS_PER_DAY;
        m += d / 30;
        d -= (d / 30) * 30;
        if (m > 0 && (d < 0 || (d == 0 && t < 0))) { d += 30; m--; }
        else if (m < 0 && (d > 0 || (d == 0 && t > 0))) { d -= 30; m++; }
        if (d > 0 && t < 0) { t += USECS_PER_DAY; d--; } else if (d < 0 && t > 0) { t -= USECS_PER_DAY; d++; }
        return new PgInterval(Math.toIntExact(m), Math.toIntExact(d), t);
    }

    /** ISO 8601 form, e.g. {@code P1Y2M3DT4H5M6.5S}; {@code PT0S} for zero. */
    @Override
    public String toString() {
        if (months == 0 && days == 0 && micros == 0) return "PT0S";
        StringBuilder sb = new StringBuilder("P");
        if (months / 12 != 0) sb.append(months / 12).append('Y');
        if (months % 12 != 0) sb.append(months % 12).append('M');
        if (days != 0) sb.append(days).append('D');
        if (micros != 0) {
            sb.append('T');
            long h = micros / USECS_PER_HOUR;
            long rest = micros % USECS_PER_HOUR;
            long min = rest / 60_000_000L;
            long us = rest % 60_000_000L;
            if (h != 0) sb.append(h).append('H');
            if (min != 0) sb.append(min).append('M');
            if (us != 0) {
                sb.append(BigDecimal.valueOf(us, 6).stripTrailingZeros().toPlainString()).append('S');
            }
        }
        return sb.toString();
    }

    static PgInterval parse(String text) {
        String s = text.trim();
        if (s.isEmpty()) throw bad(text);
        try {
            return (s.charAt(0) == 'P' || s.charAt(0) == 'p') ? IntervalText.parseIso(s) : IntervalText.parseVerbose(s);
        } catch (ArithmeticException | NumberFormatException | IndexOutOfBoundsException e) {
            throw bad(text);
        }
    }

    static EvalException bad(String text) {
        return new EvalException("invalid input syntax for type interval: \"" + text + "\"");
    }

    /** Adds fractional {@code value} of {@code unitMicros}-long units, cascading as Postgres does. */
    static long fractionMicros(BigDecimal value, long unitMicros) {
        return value.multiply(BigDecimal.valueOf(unitMicros)).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }
}
