package dev.ampere.http;

import dev.ampere.postgres.SlotLag;

import java.time.Instant;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the status page reads besides the views every route gets, made by the stack's builder: the slot's WAL
 * figures, the lag of the last transaction dispatched (in ms, -1 before any) and the recent warnings and errors.
 */
public record StatusSources(SlotLag slot, LongSupplier lastReplicationLagMillis, Supplier<List<Problem>> problems) {
    /** A warning or error that was logged. */
    public record Problem(Instant at, String level, String message) {}
}
