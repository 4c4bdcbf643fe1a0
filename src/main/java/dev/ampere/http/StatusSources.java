package dev.ampere.http;

import dev.ampere.postgres.SlotLag;

import java.util.function.LongSupplier;

/**
 * What the status page reads besides the views every route gets: the slot's WAL figures and the lag of the last
 * transaction dispatched (in ms, -1 before any), both made by the stack's builder.
 */
public record StatusSources(SlotLag slot, LongSupplier lastReplicationLagMillis) {}
