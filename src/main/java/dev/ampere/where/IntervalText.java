package dev.ampere.where;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Parses interval text: ISO 8601 ({@code P1Y2M3DT4H5M6.5S}) and Postgres's verbose/postgres forms
 * ({@code 1 year 2 mons -3 days +04:05:06.5}, {@code @ 1 day ago}, {@code 2 hours 30 minutes}). Fractional
 * units cascade downwards the way Postgres does (a fractional month becomes 30-day units, a fractional day 24 h).
 *
 * <p>Stateless.
 */
final class IntervalText {
    private IntervalText() {}

    private static final class Acc {
        long months, days, micros;

        void add(BigDecimal v, String unit, String text) {
            switch (unit) {
                case "y", "yr", "yrs", "year", "years" -> months(v.multiply(BigDecimal.valueOf(12)));
                case "mon", "mons", "month", "months" -> months(v);
                case "w", "week", "weeks" -> days(v.multiply(BigDecimal.valueOf(7)));
                case "d", "day", "days" -> days(v);
                case "h", "hr", "hrs", "hour", "hours" -> micros += PgInterval.fractionMicros(v, PgInterval.USECS_PER_HOUR);
                case "m", "min", "mins", "minute", "minutes" -> micros += PgInterval.fractionMicros(v, 60_000_000L);
                case "s", "sec", "secs", "second", "seconds" -> micros += PgInterval.fractionMicros(v, 1_000_000L);
                case "ms", "msec", "msecs", "millisecond", "milliseconds" -> micros += PgInterval.fractionMicros(v, 1000L);
                case "us", "usec", "usecs", "microsecond", "microseconds" -> micros += PgInterval.fractionMicros(v, 1L);
                default -> throw PgInterval.bad(text);
            }
        }

        void months(BigDecimal v) {
            BigDecimal whole = v.setScale(0, RoundingMode.DOWN);
            months += whole.longValueExact();
            days(v.subtract(whole).multiply(BigDecimal.valueOf(30)));
        }

        void days(BigDecimal v) {
            BigDecimal whole = v.setScale(0, RoundingMode.DOWN);
            days += whole.longValueExact();
            micros += PgInterval.fractionMicros(v.subtract(whole), PgInterval.USECS_PER_DAY);
        }

        PgInterval build() {
            return new PgInterval(Math.toIntExact(months), Math.toIntExact(days), micros);
        }
    }

    static PgInterval parseIso(String s) {
        Acc acc = new Acc();
        boolean time = false;
        int i = 1;
        if (i >= s.length()) throw PgInterval.bad(s);
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == 'T' || c == 't') { time = true; i++; continue; }
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.' || s.charAt(i) == '-' || s.charAt(i) == '+')) i++;
            if (start == i || i >= s.length()) throw PgInterval.bad(s);
            BigDecimal v = new BigDecimal(s.substring(start, i));
            char unit = Character.toUpperCase(s.charAt(i++));
            switch (unit) {
                case 'Y' -> acc.add(v, "y", s);
                case 'M' -> acc.add(v, time ? "m" : "mon", s);
                case 'W' -> acc.add(v, "w", s);
                case 'D' -> acc.add(v, "d", s);
                case 'H' -> acc.add(v, "h", s);
                case 'S' -> acc.add(v, "s", s);
                default -> throw PgInterval.bad(s);
            }
        }
        return acc.build();
    }

    static PgInterval parseVerbose(String text) {
        String s = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.startsWith("@")) s = s.substring(1).trim();
        boolean ago = false;
        if (s.endsWith(" ago")) { ago = true; s = s.substring(0, s.length() - 4).trim(); }
        Acc acc = new Acc();
        String[] parts = s.split("\\s+");
        for (int k = 0; k < parts.length; k++) {
            String p = parts[k];
            if (p.indexOf(':') >= 0) {
                acc.micros += clock(p, text);
                continue;
            }
            int split = 0;
            while (split < p.length() && "+-0123456789.".indexOf(p.charAt(split)) >= 0) split++;
            if (split == 0) throw PgInterval.bad(text);
            BigDecimal v = new BigDecimal(p.substring(0, split));
            String unit = p.substring(split);
            if (unit.isEmpty()) {
                if (k + 1 < parts.length && Character.isLetter(parts[k + 1].charAt(0))) unit = parts[++k];
                else unit = "s";
            }
            acc.add(v, unit, text);
        }
        PgInterval r = acc.build();
        return ago ? r.negate() : r;
    }

    private static long clock(String p, String text) {
        boolean neg = p.startsWith("-");
        String body = (neg || p.startsWith("+")) ? p.substring(1) : p;
        String[] hms = body.split(":");
        if (hms.length < 2 || hms.length > 3) throw PgInterval.bad(text);
        long h = Long.parseLong(hms[0]);
        long m = Long.parseLong(hms[1]);
        BigDecimal sec = hms.length == 3 ? new BigDecimal(hms[2]) : BigDecimal.ZERO;
        long us = Math.addExact(Math.multiplyExact(h, PgInterval.USECS_PER_HOUR), m * 60_000_000L)
                + PgInterval.fractionMicros(sec, 1_000_000L);
        return neg ? -us : us;
    }
}
