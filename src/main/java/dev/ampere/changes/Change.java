package dev.ampere.changes;

import java.util.List;

/**
 * One row-level change of a committed transaction, as it flows from the replication client to the shape log
 * collector. Every change has its log offset {@code (commit LSN, 2 * index in the transaction)}
 * (docs/protocol.md §1.6); keys are in the Shape API format (§1.11, built by the postgres package's RowKeys).
 *
 * <p>Immutable (rows are immutable by contract); safe to share between threads.
 */
public sealed interface Change {
    LogOffset offset();

    Relation relation();

    /** A new row. */
    record Insert(LogOffset offset, Relation relation, String key, Row record) implements Change {}

    /**
     * A changed row. Unchanged-TOAST values of the new row are already filled from the old row.
     * {@code oldKey} is non-null only when the update changed the key; {@code changedColumns} lists, in column
     * order, the columns whose text differs between old and new row. Without old data (REPLICA IDENTITY not FULL
     * and the key unchanged) {@code oldRecord} is the new row and every column counts as changed.
     */
    record Update(LogOffset offset, Relation relation, String key, String oldKey, Row oldRecord, Row record,
                  List<String> changedColumns) implements Change {
        public boolean keyChanged() {
            return oldKey != null;
        }
    }

    /** A deleted row; {@code oldRecord} is the whole old row under REPLICA IDENTITY FULL. */
    record Delete(LogOffset offset, Relation relation, String key, Row oldRecord) implements Change {}

    /**
     * The table was truncated. A TRUNCATE of several tables becomes one such change per table, each with its own
     * offset, in the order pgoutput listed them.
     */
    record Truncate(LogOffset offset, Relation relation, boolean cascade, boolean restartIdentity)
            implements Change {}
}
