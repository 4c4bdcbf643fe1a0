package dev.ampere.shapecache;

/**
 * What the ShapeCache reports for the stack's metrics: shapes created and removed.
 *
 * <p>Implementations are thread-safe.
 */
public interface ShapeCacheMetrics {
    ShapeCacheMetrics NONE = new ShapeCacheMetrics() {};

    /** A new shape was created (not a recovered one). */
    default void created() {}

    /** A shape ended and its storage went: deleted, truncated, its schema changed, its snapshot failed. */
    default void removed() {}
}
