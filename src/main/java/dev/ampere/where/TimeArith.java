package dev.ampere.where;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * Date and time arithmetic as Postgres does it ({@code timestamp_pl_interval}: months first with the day clamped to
 * the month's end, then days, then microseconds; {@code timestamp_mi}: microseconds justified into days;
 * timestamptz works in UTC, the session time zone Ampere uses). Infinite values stay infinite.
 *
 * <p>Stateless.
 */
final class TimeArith {
    private TimeArith() {}

    static LocalDateTime plus(LocalDateTime t, PgInterval i) {
        if (t.equals(LocalDateTime.MAX) || t.equals(LocalDateTime.MIN)) return t;
        try {
            LocalDateTime r = t.plusMonths(i.months()).plusDays(i.days()).plus(i.micros(), ChronoUnit.MICROS);
            if (r.getYear() > 294276 || r.getYear() < -4713) throw outOfRange();
            return r;
        } catch (java.time.DateTimeException | ArithmeticException e) {
            throw outOfRange();
        }
    }

    static Instant plus(Instant t, PgInterval i) {
        if (t.equals(Instant.MAX) || t.equals(Instant.MIN)) return t;
        return plus(LocalDateTime.ofInstant(t, ZoneOffset.UTC), i).toInstant(ZoneOffset.UTC);
    }

    static LocalTime plus(LocalTime t, PgInterval i) {
        return t.plus(i.micros() % PgInterval.USECS_PER_DAY, ChronoUnit.MICROS);
    }

    static PgInterval minus(LocalDateTime a, LocalDateTime b) {
        if (a.equals(LocalDateTime.MAX) || a.equals(LocalDateTime.MIN) || b.equals(LocalDateTime.MAX)
                || b.equals(LocalDateTime.MIN)) {
            throw new EvalException("cannot subtract infinite timestamps");
        }
        long micros = ChronoUnit.MICROS.between(b, a);
        return new PgInterval(0, 0, micros).justifyHours();
    }

    static PgInterval minus(Instant a, Instant b) {
        return minus(Casts.tzToTimestamp(a), Casts.tzToTimestamp(b));
    }

    static PgInterval minus(LocalTime a, LocalTime b) {
        return new PgInterval(0, 0, Duration.between(b, a).toNanos() / 1000);
    }

    static LocalDate plusDays(LocalDate d, long days) {
        if (d.equals(LocalDate.MAX) || d.equals(LocalDate.MIN)) return d;
        try {
            LocalDate r = d.plusDays(days);
            if (r.getYear() > 5874897 || r.getYear() < -4713) throw new EvalException("date out of range");
            return r;
        } catch (java.time.DateTimeException e) {
            throw new EvalException("date out of range");
        }
    }

    static Long daysBetween(LocalDate a, LocalDate b) {
        if (a.equals(LocalDate.MAX) || a.equals(LocalDate.MIN) || b.equals(LocalDate.MAX) || b.equals(LocalDate.MIN)) {
            throw new EvalException("cannot subtract infinite dates");
        }
        return ChronoUnit.DAYS.between(b, a);
    }

    private static EvalException outOfRange() {
        return new EvalException("timestamp out of range");
    }
}
