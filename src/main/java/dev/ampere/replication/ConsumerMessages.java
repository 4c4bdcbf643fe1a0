package dev.ampere.replication;

import dev.ampere.changes.Relation;
import dev.ampere.changes.TransactionFragment;

/** What the ShapeLogCollector sends to a shape's consumer process. */
public final class ConsumerMessages {
    private ConsumerMessages() {}

    /**
     * A fragment of a committed transaction that may affect the shape (the consumer filters the changes of its
     * table itself). The last fragment of every transaction that reached the consumer is delivered too, even when
     * it holds nothing for the shape, so the consumer knows the transaction is complete and can report it flushed.
     */
    public record Deliver(TransactionFragment fragment) {}

    /** A Relation message for the shape's table: the consumer compares it with its definition. */
    public record RelationChanged(Relation relation) {}

    /**
     * The replication connection restarted: a transaction delivered only in part will be sent again from its
     * start, so anything the consumer holds of an incomplete transaction must be dropped.
     */
    public record StreamRestarted() {}
}
