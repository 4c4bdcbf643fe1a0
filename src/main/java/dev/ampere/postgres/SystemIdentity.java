package dev.ampere.postgres;

import dev.ampere.changes.Lsn;

/** What {@code IDENTIFY_SYSTEM} says of the server: its identifier, timeline and current WAL position. */
public record SystemIdentity(String systemId, int timeline, Lsn walPosition, String database) {}
