package dev.ampere.postgres.wal;
import dev.ampere.changes.TransactionFragment;

/**
 * Told when transactions are durably stored by everyone who needed them, so the replication client may acknowledge
 * them to Postgres. The argument is a transaction's commit LSN ({@link TransactionFragment#commitLsn()}, the
 * {@code tx} part of its offsets): every transaction committed at or before it is durable. Only commit LSNs of
 * transactions already delivered count; values must not go backwards (smaller ones are ignored).
 *
 * <p>Implementations are thread-safe and return at once: storage threads call this.
 */
@FunctionalInterface
public interface DurableLsnListener {
    void durable(long commitLsn);
}
