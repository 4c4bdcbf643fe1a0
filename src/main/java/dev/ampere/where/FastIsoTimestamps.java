package dev.ampere.where;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Allocation-light parsing of the exact text Postgres prints for {@code timestamp} and {@code timestamptz} under
 * {@code DateStyle=ISO} ({@code 2024-05-01 10:00:00[.ffffff][+hh[:mm[:ss]]]}), which is what every row from
 * pgoutput and the snapshot carries. Anything else returns null and goes through {@link DateTimes}' general path.
 *
 * <p>Stateless.
 */
final class FastIsoTimestamps {
    private FastIsoTimestamps() {}

    static LocalDateTime timestamp(String s) {
        int n = s.length();
        if (n < 19 || n > 26 || s.charAt(10) != ' ') return null;
        return local(s, n);
    }

    static Instant timestamptz(String s) {
        int n = s.length();
        if (n < 22 || s.charAt(10) != ' ') return null;
        int zone = n - 3;
        int offsetSeconds;
        if (n >= 25 && s.charAt(n - 3) == ':' && (s.charAt(n - 6) == '+' || s.charAt(n - 6) == '-')) {
            zone = n - 6;
        }
        if (n >= 28 && s.charAt(n - 3) == ':' && s.charAt(n - 6) == ':' && (s.charAt(n - 9) == '+' || s.charAt(n - 9) == '-')) {
            zone = n - 9;
        }
        char sign = s.charAt(zone);
        if (sign != '+' && sign != '-') return null;
        int h = two(s, zone + 1), m = zone + 3 < n ? two(s, zone + 4) : 0, sec = zone + 6 < n ? two(s, zone + 7) : 0;
        if (h < 0 || m < 0 || sec < 0) return null;
        offsetSeconds = (h * 3600 + m * 60 + sec) * (sign == '-' ? -1 : 1);
        LocalDateTime local = local(s, zone);
        if (local == null) return null;
        return local.toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds));
    }

    private static LocalDateTime local(String s, int end) {
        if (end < 19 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(13) != ':' || s.charAt(16) != ':') return null;
        int year = digits(s, 0, 4), month = two(s, 5), day = two(s, 8), hour = two(s, 11), min = two(s, 14), sec = two(s, 17);
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || min < 0 || min > 59
                || sec < 0 || sec > 59) {
            return null;
        }
        int nanos = 0;
        if (end > 19) {
            if (s.charAt(19) != '.' || end - 20 > 6 || end == 20) return null;
            int frac = digits(s, 20, end);
            if (frac < 0) return null;
            for (int i = end - 20; i < 9; i++) frac *= 10;
            nanos = frac;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, min, sec, nanos);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static int two(String s, int at) {
        return digits(s, at, at + 2);
    }

    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
