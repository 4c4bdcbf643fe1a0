package dev.ampere.stack;

import java.time.Duration;

/**
 * What a stack reports about itself as it starts, runs and recovers. Published through {@link StackEvents}; the
 * health endpoint, the logs and tests subscribe.
 */
public sealed interface StackEvent {
    /** Connecting to Postgres failed for a reason that may pass (refused, unreachable, starting up). */
    record ConnectionFailed(String purpose, String message, Duration retryIn) implements StackEvent {}

    /** Connected; waiting for the advisory lock that makes this instance the only one using the slot. */
    record WaitingForLock(String slotName) implements StackEvent {}

    record LockAcquired(String slotName) implements StackEvent {}

    /** The replication connection is set up: publication and slot exist, the timeline was checked. */
    record ReplicationConnected(String systemId, int timeline, boolean slotCreated, boolean timelineChanged)
            implements StackEvent {}

    /** Everything is up: shapes can be served. */
    record Ready() implements StackEvent {}

    /** Streaming changes from the slot. */
    record Replicating(String fromLsn) implements StackEvent {}

    /** A connection to Postgres was lost; the stack is recovering. */
    record ConnectionLost(String what, String message) implements StackEvent {}

    /**
     * Shape storage cannot take writes (no space left on device, or an I/O fault): new shapes are refused, existing
     * ones hold their changes, and nothing past what is stored is acknowledged. Published once per episode.
     */
    record StorageFailing(String reason) implements StackEvent {}

    /** Shape storage takes writes again: held changes are stored and served. */
    record StorageRecovered() implements StackEvent {}

    /** A problem no retry can fix (bad credentials, wal_level not logical, missing privilege). */
    record Fatal(String message) implements StackEvent {}
}
