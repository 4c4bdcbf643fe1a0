package dev.ampere.config;

import java.util.List;

/**
 * The display settings applied to every session Ampere opens (snapshot, query and replication connections), so
 * that the same value has the same text everywhere (docs/protocol.md §1.11): {@code bytea_output=hex},
 * {@code DateStyle=ISO, DMY}, {@code TimeZone=UTC}, {@code extra_float_digits=1}, {@code IntervalStyle=iso_8601}.
 *
 * <p>They go both into the {@code options} startup parameter and, once connected, through {@code SET}: pgjdbc sends
 * its own {@code TimeZone} (the JVM's), {@code DateStyle} and {@code extra_float_digits} at start-up, which Postgres
 * applies after {@code options}.
 */
public final class SessionSettings {
    /** As a libpq {@code options} string. */
    public static final String OPTIONS = "-c bytea_output=hex -c DateStyle=ISO,DMY -c TimeZone=UTC"
            + " -c extra_float_digits=1 -c IntervalStyle=iso_8601";

    /** The same settings as statements, for after connecting. */
    public static final List<String> SET_STATEMENTS = List.of("SET bytea_output = 'hex'", "SET DateStyle = 'ISO, DMY'",
            "SET TimeZone = 'UTC'", "SET extra_float_digits = 1", "SET IntervalStyle = 'iso_8601'");

    private SessionSettings() {}
}
