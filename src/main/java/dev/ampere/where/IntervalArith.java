package dev.ampere.where;

/**
 * {@code interval * float8} and {@code interval / float8} exactly as Postgres 15 computes them
 * ({@code interval_mul}, {@code interval_div}): months and days are scaled and truncated separately and the
 * fractions cascade down (a month fraction into 30-day units, a day fraction into seconds, rounded to
 * microseconds).
 *
 * <p>Stateless.
 */
final class IntervalArith {
    private static final double SECS_PER_DAY = 86_400.0;

    private IntervalArith() {}

    static PgInterval multiply(PgInterval span, double factor) {
        if (Double.isNaN(factor)) throw outOfRange();
        double months = span.months() * factor;
        double days = span.days() * factor;
        if (outsideInt(months) || outsideInt(days)) throw outOfRange();
        int m = (int) months, d = (int) days;
        double monthRemainderDays = tsRound((span.months() * factor - m) * 30.0);
        double secRemainder = tsRound((span.days() * factor - d + monthRemainderDays - (int) monthRemainderDays) * SECS_PER_DAY);
        return finish(m, d, monthRemainderDays, secRemainder, span.micros() * factor);
    }

    static PgInterval divide(PgInterval span, double divisor) {
        if (divisor == 0.0) throw Arith.divisionByZero();
        if (Double.isNaN(divisor)) throw outOfRange();
        int m = (int) (span.months() / divisor), d = (int) (span.days() / divisor);
        double monthRemainderDays = (span.months() / divisor - m) * 30.0;
        double secRemainder = tsRound((span.days() / divisor - d + monthRemainderDays - (int) monthRemainderDays) * SECS_PER_DAY);
        return finish(m, d, monthRemainderDays, secRemainder, span.micros() / divisor);
    }

    private static PgInterval finish(int m, int d, double monthRemainderDays, double secRemainder, double scaledMicros) {
        long day = d;
        if (Math.abs(secRemainder) >= SECS_PER_DAY) {
            day += (int) (secRemainder / SECS_PER_DAY);
            secRemainder -= (int) (secRemainder / SECS_PER_DAY) * SECS_PER_DAY;
        }
        day += (int) monthRemainderDays;
        double micros = Math.rint(scaledMicros + secRemainder * 1_000_000.0);
        if (outsideInt(day) || Double.isNaN(micros) || Math.abs(micros) >= 9.2233720368547758E18) throw outOfRange();
        return new PgInterval(m, (int) day, (long) micros);
    }

    private static double tsRound(double v) {
        return Math.rint(v * 1_000_000.0) / 1_000_000.0;
    }

    private static boolean outsideInt(double v) {
        return Double.isNaN(v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE;
    }

    private static EvalException outOfRange() {
        return new EvalException("interval out of range");
    }
}
