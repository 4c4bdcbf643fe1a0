package dev.ampere.http;

/** The {@code log} request parameter (PROTOCOL.md §1.3): {@code changes_only} skips the initial snapshot rows. */
public enum LogMode {
    FULL, CHANGES_ONLY
}
