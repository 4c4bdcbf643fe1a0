package dev.ampere.replication;

/**
 * What the ShapeLogCollector reports for the stack's metrics: one call per fragment and one per transaction, never
 * per change.
 *
 * <p>Implementations are thread-safe.
 */
public interface ReplicationMetrics {
    ReplicationMetrics NONE = new ReplicationMetrics() {};

    /** A fragment was routed: {@code changes} changes, of which {@code unmatched} affected no shape. */
    default void fragmentRouted(int changes, int unmatched) {}

    /** A transaction was dispatched whole, {@code lagNanos} after Postgres committed it (wall clocks). */
    default void transactionDispatched(long lagNanos) {}
}
