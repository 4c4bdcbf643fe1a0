package dev.ampere.changes;

import java.time.Instant;
import java.util.List;

/**
 * A bounded piece of one <em>committed</em> transaction: at most the assembler's fragment size of changes, in
 * order. A transaction arrives as one or more fragments: the first has {@code first}, the last has {@code last}
 * (a small transaction is one fragment with both). Fragments of different transactions never interleave, so no
 * consumer needs to hold a whole transaction.
 *
 * <p>If the replication connection drops before a transaction's last fragment, Postgres sends the transaction again
 * from its start on the next connection: consumers must drop partial transactions on reconnect (or deduplicate by
 * offset).
 *
 * @param xid              the top-level transaction id (unsigned 32-bit)
 * @param commitLsn        the commit record's LSN (unsigned), the {@code tx} part of every change's offset
 * @param endLsn           the end of the commit record: known only on the {@code last} fragment, else 0
 * @param commitTimeMicros commit time in microseconds since 2000-01-01 UTC
 * @param changes          at most the fragment size; may be empty (a transaction with no published change)
 * @param first            this is the transaction's first fragment
 * @param last             this is the transaction's last fragment; the transaction is complete
 *
 * <p>Immutable.
 */
public record TransactionFragment(long xid, long commitLsn, long endLsn, long commitTimeMicros, List<Change> changes,
                                  boolean first, boolean last) {
    private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

    public TransactionFragment {
        changes = List.copyOf(changes);
    }

    public Instant commitTime() {
        long unixMicros = commitTimeMicros + POSTGRES_EPOCH_MICROS;
        return Instant.ofEpochSecond(Math.floorDiv(unixMicros, 1_000_000L), Math.floorMod(unixMicros, 1_000_000L) * 1000);
    }
}
