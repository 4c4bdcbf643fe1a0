package dev.ampere.where;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code timezone(zone, value)} and {@code value AT TIME ZONE zone}: converts timestamptz to the wall-clock time in
 * a zone and back. Zones are IANA names, matched case-insensitively as Postgres does ({@code utc},
 * {@code Europe/Berlin}); abbreviations and POSIX offsets are not supported (the row then does not match).
 * The JDK's tz database may differ slightly in version from the server's.
 *
 * <p>Thread-safe: the name table is built once and never modified.
 */
final class TimeZones {
    private static final Map<String, ZoneId> BY_LOWER_NAME = build();

    private TimeZones() {}

    private static Map<String, ZoneId> build() {
        Map<String, ZoneId> m = new HashMap<>();
        for (String id : ZoneId.getAvailableZoneIds()) m.put(id.toLowerCase(Locale.ROOT), ZoneId.of(id));
        m.put("utc", ZoneId.of("UTC"));
        m.put("gmt", ZoneId.of("GMT"));
        m.put("z", ZoneId.of("UTC"));
        return Map.copyOf(m);
    }

    static ZoneId zone(String name) {
        ZoneId z = BY_LOWER_NAME.get(name.trim().toLowerCase(Locale.ROOT));
        if (z == null) throw new EvalException("time zone \"" + name + "\" not recognized");
        return z;
    }

    /** timezone(zone, timestamptz) → timestamp: the wall-clock time in the zone. */
    static LocalDateTime wallClock(String zone, Instant i) {
        ZoneId z = zone(zone);
        if (i.equals(Instant.MAX)) return LocalDateTime.MAX;
        if (i.equals(Instant.MIN)) return LocalDateTime.MIN;
        return LocalDateTime.ofInstant(i, z);
    }

    /** timezone(zone, timestamp) → timestamptz: the instant when the zone's clocks show that time. */
    static Instant instant(String zone, LocalDateTime t) {
        ZoneId z = zone(zone);
        if (t.equals(LocalDateTime.MAX)) return Instant.MAX;
        if (t.equals(LocalDateTime.MIN)) return Instant.MIN;
        return t.atZone(z).toInstant();
    }
}
