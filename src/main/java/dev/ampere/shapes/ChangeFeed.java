package dev.ampere.shapes;

import java.util.List;

/**
 * What a shape's consumer needs from the replication side that feeds it: registration (so the log collector routes
 * the shape's changes to it) and durability (so that only what is durably stored for every shape is acknowledged
 * to Postgres). Handed to each consumer by its supervisor; the stack's {@link ShapeFlusher} reports through
 * {@link Reports}.
 *
 * <p>Thread-safe; calls come from consumer threads.
 */
public interface ChangeFeed {
    /**
     * Registers the consumer; returns once routing is in place, before the shape reads its snapshot. A second
     * subscription of the same shape replaces the first (its routing narrowed once the snapshot is known).
     */
    void subscribe(ShapeSubscription subscription) throws InterruptedException;

    /**
     * The shape's changes up to the mark's commit are appended to its storage (and visible to readers): make them
     * durable, in a pass shared with the stack's other shapes, and only then count them toward the acknowledgement.
     * Called only when {@link PendingFlush#stored} asked for it. Returns at once; false when nothing runs to take it
     * (the replication branch is stopping), and the consumer then calls {@link PendingFlush#unqueue}.
     */
    boolean stored(PendingFlush pending);

    /** One shape's durable point: everything up to and including this commit is durably stored for the shape. */
    record Durable(String handle, long commitLsn) {}

    /** Where the flusher reports what a pass made durable (the log collector's flush tracking). Thread-safe. */
    interface Reports {
        void flushed(List<Durable> durable);
    }
}
