package dev.ampere.config;

/**
 * The display settings applied to every session Ampere opens (snapshot, query and replication connections), so
 * that the same value has the same text everywhere (PROTOCOL.md §1.11).
 */
public final class SessionSettings {
    /** As a libpq {@code options} string: {@code -c name=value} pairs, spaces escaped with a backslash. */
    public static final String OPTIONS = "-c bytea_output=hex -c DateStyle=ISO,\\ DMY -c TimeZone=UTC"
            + " -c extra_float_digits=1 -c IntervalStyle=iso_8601";

    private SessionSettings() {}
}
