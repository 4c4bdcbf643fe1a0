package dev.ampere.postgres.wal;
import dev.ampere.changes.Relation;
import dev.ampere.changes.TransactionFragment;

/**
 * Where the transaction assembler delivers what it assembled, in stream order. Called on the replication reader's
 * thread; an implementation should hand the work on quickly (the reader keeps the connection alive only between
 * calls) and report durability separately, through the reader's {@code DurableLsnListener}.
 */
public interface ChangeSink {
    /** A relation description arrived (first use in this session, or the table changed). */
    void onRelation(Relation relation);

    /** The next fragment of a committed transaction. */
    void onFragment(TransactionFragment fragment);

    /**
     * A {@code pg_logical_emit_message} (streamed when the reader's options ask for messages), in stream order: every
     * transaction that committed before it (before its own commit, for a transactional one) was delivered first.
     */
    default void onMessage(String prefix, byte[] content) {}
}
