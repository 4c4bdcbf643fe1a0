package dev.ampere.postgres.wal;
import dev.ampere.changes.Change;
import dev.ampere.changes.LogOffset;
import dev.ampere.changes.TransactionFragment;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts one committed transaction's changes into {@link TransactionFragment}s of at most {@code maxChanges} and
 * hands each to the sink once it is full, so a transaction of any size costs at most one fragment of memory.
 * Also numbers the changes: the i-th change (0-based) gets offset {@code (commitLsn, 2i)}.
 *
 * <p>One builder per transaction; not thread-safe.
 */
final class FragmentBuilder implements ChangeConverter.OffsetSource {
    private final long xid;
    private final long commitLsn;
    private final long commitTimeMicros;
    private final int maxChanges;
    private final ChangeSink sink;
    private final AssemblerStats stats;
    private List<Change> changes;
    private boolean first = true;
    private long index;

    FragmentBuilder(long xid, long commitLsn, long commitTimeMicros, int maxChanges, ChangeSink sink,
                    AssemblerStats stats) {
        this.xid = xid;
        this.commitLsn = commitLsn;
        this.commitTimeMicros = commitTimeMicros;
        this.maxChanges = maxChanges;
        this.sink = sink;
        this.stats = stats;
        this.changes = new ArrayList<>(Math.min(maxChanges, 64));
    }

    long commitLsn() {
        return commitLsn;
    }

    @Override
    public LogOffset next() {
        return LogOffset.of(commitLsn, 2 * index++);
    }

    /**
     * A full fragment is emitted only when the next change arrives, so the last fragment is never empty unless the
     * whole transaction is.
     */
    void add(Change change) {
        if (changes.size() >= maxChanges) emit(false, 0);
        changes.add(change);
        stats.buffered(changes.size());
    }

    /** Emits what is left as the last fragment (possibly empty: the sink must see every commit). */
    void finish(long endLsn) {
        emit(true, endLsn);
    }

    private void emit(boolean last, long endLsn) {
        TransactionFragment fragment = new TransactionFragment(xid, commitLsn, endLsn, commitTimeMicros, changes, first, last);
        first = false;
        changes = new ArrayList<>(Math.min(maxChanges, 64));
        stats.fragmentEmitted();
        sink.onFragment(fragment);
    }
}
