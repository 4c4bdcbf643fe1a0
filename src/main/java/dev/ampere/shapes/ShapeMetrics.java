package dev.ampere.shapes;

/**
 * What a shape's processes report for the stack's metrics: one call per stored snapshot and per flush, never per
 * row or change. Given by constructor to every Consumer and Snapshotter through {@link ConsumerSupervisor.Deps}.
 *
 * <p>Implementations are thread-safe (every shape's processes call the same one).
 */
public interface ShapeMetrics {
    ShapeMetrics NONE = new ShapeMetrics() {};

    /** A snapshot was stored whole: {@code rows} rows in {@code nanos}. */
    default void snapshotStored(long rows, long nanos) {}

    /** A snapshot query failed. */
    default void snapshotFailed() {}

    /** The stack's flusher made a pass of shapes durable (their logs synced to disk) in {@code nanos}. */
    default void flushed(long nanos) {}
}
