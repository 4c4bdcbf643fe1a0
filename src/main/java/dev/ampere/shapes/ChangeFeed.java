package dev.ampere.shapes;

/**
 * What a shape's consumer needs from the log collector that feeds it, as the collector offers it: registration
 * (so the collector routes the shape's changes to it) and durability reports (so the collector acknowledges to
 * Postgres only what every shape has stored). Handed to each consumer by its supervisor.
 *
 * <p>Thread-safe; calls come from consumer threads.
 */
public interface ChangeFeed {
    /** Registers the consumer; returns once routing is in place, before the shape reads its snapshot. */
    void subscribe(ShapeSubscription subscription) throws InterruptedException;

    /** Everything up to and including this commit is durably stored for the shape. Returns at once. */
    void flushed(String handle, long commitLsn);
}
