package dev.ampere.where;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;

/**
 * Text input and output of {@code date}, {@code time}, {@code timestamp} and {@code timestamptz} as Postgres prints
 * them with {@code DateStyle=ISO} and {@code TimeZone=UTC} (the session settings Ampere uses for snapshots and
 * replication): {@code 2024-01-02}, {@code 13:45:00.5}, {@code 2024-01-02 13:45:00}, {@code 2024-01-02
 * 13:45:00+00}. Input also takes {@code T} separators, {@code Z} and {@code ±hh[:mm[:ss]]} offsets, a bare date
 * for timestamps and {@code infinity}/{@code -infinity} (represented by the MIN/MAX values). BC dates are not
 * supported (parse error, so the row does not match).
 *
 * <p>Stateless; the formatters are immutable.
 */
final class DateTimes {
    private static final DateTimeFormatter TIME = new DateTimeFormatterBuilder()
            .appendPattern("HH:mm")
            .optionalStart().appendLiteral(':').appendPattern("ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .optionalEnd().toFormatter(Locale.ROOT);
    private static final DateTimeFormatter TIME_OUT = new DateTimeFormatterBuilder()
            .appendPattern("HH:mm:ss").appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true)
            .toFormatter(Locale.ROOT);
    private static final DateTimeFormatter DATE_OUT = DateTimeFormatter.ofPattern("uuuu-MM-dd", Locale.ROOT);

    private DateTimes() {}

    static LocalDate parseDate(String s) {
        String t = s.trim();
        if (t.equalsIgnoreCase("infinity")) return LocalDate.MAX;
        if (t.equalsIgnoreCase("-infinity")) return LocalDate.MIN;
        try {
            if (t.length() > 10 && (t.charAt(10) == ' ' || t.charAt(10) == 'T')) return parseTimestamptz(t.substring(0, 10)).atOffset(java.time.ZoneOffset.UTC).toLocalDate();
            return LocalDate.parse(t);
        } catch (DateTimeParseException | EvalException e) {
            throw bad("date", s);
        }
    }

    static LocalTime parseTime(String s) {
        try {
            return LocalTime.parse(s.trim(), TIME).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        } catch (DateTimeParseException e) {
            throw bad("time without time zone", s);
        }
    }

    static LocalDateTime parseTimestamp(String s) {
        LocalDateTime fast = FastIsoTimestamps.timestamp(s);
        if (fast != null) return fast;
        String t = s.trim();
        if (t.equalsIgnoreCase("infinity")) return LocalDateTime.MAX;
        if (t.equalsIgnoreCase("-infinity")) return LocalDateTime.MIN;
        try {
            int zone = zoneStart(t);
            if (zone > 10) t = t.substring(0, zone).trim(); // Postgres ignores a zone in timestamp input
            if (t.length() <= 10) return LocalDate.parse(t).atStartOfDay();
            return LocalDateTime.of(LocalDate.parse(t.substring(0, 10)), parseTime(t.substring(11)));
        } catch (DateTimeParseException | EvalException e) {
            throw bad("timestamp", s);
        }
    }

    static Instant parseTimestamptz(String s) {
        Instant fast = FastIsoTimestamps.timestamptz(s);
        if (fast != null) return fast;
        String t = s.trim();
        if (t.equalsIgnoreCase("infinity")) return Instant.MAX;
        if (t.equalsIgnoreCase("-infinity")) return Instant.MIN;
        try {
            int zoneAt = zoneStart(t);
            ZoneOffset offset = zoneAt < 0 ? ZoneOffset.UTC : offset(t.substring(zoneAt));
            String local = zoneAt < 0 ? t : t.substring(0, zoneAt).trim();
            LocalDateTime ldt = local.length() <= 10 ? LocalDate.parse(local).atStartOfDay()
                    : LocalDateTime.of(LocalDate.parse(local.substring(0, 10)), parseTime(local.substring(11)));
            return ldt.toInstant(offset);
        } catch (DateTimeParseException | EvalException | StringIndexOutOfBoundsException e) {
            throw bad("timestamp with time zone", s);
        }
    }

    private static int zoneStart(String t) {
        if (t.endsWith("Z") || t.endsWith("z")) return t.length() - 1;
        for (int i = t.length() - 1; i > 10; i--) {
            char c = t.charAt(i);
            if (c == '+' || c == '-') return i;
        }
        return -1;
    }

    private static ZoneOffset offset(String z) {
        if (z.equalsIgnoreCase("Z")) return ZoneOffset.UTC;
        int sign = z.charAt(0) == '-' ? -1 : 1;
        String[] parts = z.substring(1).split(":");
        int h, m = 0, sec = 0;
        if (parts.length == 1 && parts[0].length() == 4) {
            h = Integer.parseInt(parts[0].substring(0, 2));
            m = Integer.parseInt(parts[0].substring(2));
        } else {
            h = Integer.parseInt(parts[0]);
            if (parts.length > 1) m = Integer.parseInt(parts[1]);
            if (parts.length > 2) sec = Integer.parseInt(parts[2]);
        }
        return ZoneOffset.ofHoursMinutesSeconds(sign * h, sign * m, sign * sec);
    }

    static String formatDate(LocalDate d) {
        if (d.equals(LocalDate.MAX)) return "infinity";
        if (d.equals(LocalDate.MIN)) return "-infinity";
        return DATE_OUT.format(d);
    }

    static String formatTime(LocalTime t) {
        return TIME_OUT.format(t);
    }

    static String formatTimestamp(LocalDateTime ts) {
        if (ts.equals(LocalDateTime.MAX)) return "infinity";
        if (ts.equals(LocalDateTime.MIN)) return "-infinity";
        return DATE_OUT.format(ts.toLocalDate()) + " " + formatTime(ts.toLocalTime());
    }

    static String formatTimestamptz(Instant i) {
        if (i.equals(Instant.MAX)) return "infinity";
        if (i.equals(Instant.MIN)) return "-infinity";
        return formatTimestamp(LocalDateTime.ofInstant(i, ZoneOffset.UTC)) + "+00";
    }

    static EvalException bad(String type, String s) {
        return new EvalException("invalid input syntax for type " + type + ": \"" + s + "\"");
    }
}
