package dev.ampere.shapes;

import dev.ampere.changes.Relation;
import dev.ampere.changes.TransactionFragment;

/** What the log collector sends a shape's consumer. */
public final class ConsumerMessages {
    private ConsumerMessages() {}

    /**
     * A fragment of a committed transaction with the changes the router matched for this shape: each entry of
     * {@code matches} is {@link #match} of a position in {@code fragment.changes()} and what the router learned
     * evaluating the shape's where clause (whether the old row and the new row belong to the shape). Positions
     * ascend; only the shape's own table appears. The consumer never evaluates the where clause again.
     *
     * <p>The last fragment of every transaction that reached the consumer is delivered too, even with no match,
     * so the consumer knows the transaction is complete and can report it flushed.
     */
    public record Deliver(TransactionFragment fragment, int[] matches) {}

    /** A Relation message for the shape's table: the consumer compares it with its definition. */
    public record RelationChanged(Relation relation) {}

    /**
     * The replication connection restarted: a transaction delivered only in part will be sent again from its
     * start, so anything the consumer holds of an incomplete transaction must be dropped.
     */
    public record StreamRestarted() {}

    /**
     * The shape's where clause could not be evaluated on a change (Postgres would raise an error for the row, or
     * the evaluation went over its cost budget): the collector no longer routes to the shape, and the consumer
     * ends it, so its clients get 409 and refetch (docs/protocol.md §1.9). {@code reason} says which change and why.
     */
    public record WhereClauseFailed(String reason) {}

    /**
     * A {@link VisibilityBarriers} barrier the stream brought: everything sent to this consumer before it is to be
     * published first, then {@code release} runs.
     */
    public record Barrier(Runnable release) {}

    private static final int OLD_IN = 2;
    private static final int NEW_IN = 1;

    /** Packs a matched position with its facts. */
    public static int match(int position, boolean oldIn, boolean newIn) {
        return position << 2 | (oldIn ? OLD_IN : 0) | (newIn ? NEW_IN : 0);
    }

    public static int position(int match) {
        return match >>> 2;
    }

    /** The change's old row (update, delete) satisfies the shape's where clause. */
    public static boolean oldIn(int match) {
        return (match & OLD_IN) != 0;
    }

    /** The change's new row (insert, update) satisfies the shape's where clause. */
    public static boolean newIn(int match) {
        return (match & NEW_IN) != 0;
    }
}
