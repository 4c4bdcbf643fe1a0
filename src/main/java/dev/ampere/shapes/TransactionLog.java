package dev.ampere.shapes;

import dev.ampere.changes.Change;
import dev.ampere.changes.TransactionFragment;
import dev.ampere.shapecache.storage.LogItem;
import dev.ampere.shapecache.storage.SnapshotInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Turns the fragments routed to one shape into the items its log stores, transaction by transaction
 * (docs/protocol.md §1.11, §3.6): transactions the shape's snapshot already contains are skipped, each matched change
 * is converted once, and the shape's last item of each transaction carries {@code "last":true}. That last item is
 * only known when the next item of the transaction, or its end, arrives, so one item is held back between
 * fragments.
 *
 * <p>Pure: no I/O, no clock, no database. Not thread-safe: owned by the shape's consumer.
 */
final class TransactionLog {
    /** What one fragment produced. */
    /**
     * What one fragment produced; {@code ended} is why the shape must end (its where clause failed on a change, or
     * {@code moved}: its sub-selects' values changed), or null.
     */
    record Step(List<LogItem> items, boolean truncated, boolean transactionEnded, boolean wroteInTransaction,
                String ended, boolean moved) {
        Step(List<LogItem> items, boolean truncated, boolean transactionEnded, boolean wroteInTransaction) {
            this(items, truncated, transactionEnded, wroteInTransaction, null, false);
        }
    }

    private final Supplier<ShapeChangeConverter> converters;
    /** Made on first use and dropped by {@link #releaseConverter} (its encoder buffer is most of an idle shape). */
    private ShapeChangeConverter converter;
    private SnapshotVisibility visibility;
    /** For a shape whose where clause has sub-selects: the judge of its changes, from the snapshot's values. */
    private SubqueryJudge judge;
    private boolean filtering;
    private boolean inTransaction;
    private boolean skipTransaction;
    private boolean wroteInTransaction;
    private LogItem heldBack;

    TransactionLog(ShapeChangeConverter converter) {
        this(() -> converter);
    }

    /** With a converter made when needed, and again after {@link #releaseConverter}. */
    TransactionLog(Supplier<ShapeChangeConverter> converters) {
        this.converters = converters;
    }

    /** The shape is idle: drop the converter, which depends only on the definition and is made again when needed. */
    void releaseConverter() {
        converter = null;
    }

    /** The snapshot's bounds are known: from now on fragments can be judged against them. */
    void snapshotKnown(SnapshotInfo info) {
        visibility = new SnapshotVisibility(info);
        filtering = true;
    }

    /** As {@link #snapshotKnown(SnapshotInfo)}, with the judge of a shape whose where clause has sub-selects. */
    void snapshotKnown(SnapshotInfo info, SubqueryJudge judge) {
        snapshotKnown(info);
        this.judge = judge;
    }

    boolean isSnapshotKnown() {
        return visibility != null;
    }

    /** The stream restarted: a transaction seen in part will come again from its start. */
    void streamRestarted() {
        heldBack = null;
        inTransaction = false;
    }

    /**
     * Converts one fragment's matched changes ({@link ConsumerMessages#match} entries, ascending). A truncate of the
     * shape's table ends the shape: the step then reports {@code truncated} and nothing else counts.
     */
    Step accept(TransactionFragment f, int[] matches) {
        if (visibility == null) throw new IllegalStateException("fragments before the snapshot's bounds are known");
        // The collector only sends a shape the fragments that affect it, so a transaction may begin, for this shape,
        // with a fragment that is not the transaction's first.
        if (f.first() || !inTransaction) {
            inTransaction = true;
            if (filtering && visibility.isAfterSnapshot(f.xid())) filtering = false;
            skipTransaction = filtering && visibility.containsTransaction(f.xid());
            wroteInTransaction = false;
            heldBack = null;
        }
        List<LogItem> ready = List.of();
        if (!skipTransaction) {
            List<LogItem> items = new ArrayList<>(matches.length + 1);
            List<Change> changes = f.changes();
            for (int m : matches) {
                Change change = changes.get(ConsumerMessages.position(m));
                if (change instanceof Change.Truncate) return new Step(List.of(), true, false, wroteInTransaction);
                boolean oldIn = ConsumerMessages.oldIn(m), newIn = ConsumerMessages.newIn(m);
                if (judge != null) {
                    int verdict;
                    try {
                        verdict = judge.judge(change);
                    } catch (RuntimeException e) {
                        return new Step(List.of(), false, false, wroteInTransaction,
                                "its where clause could not be evaluated on the change at " + change.offset() + ": "
                                        + e.getMessage(), false);
                    }
                    if (verdict == SubqueryJudge.MOVED) {
                        return new Step(List.of(), false, false, wroteInTransaction,
                                "rows moved in or out through a sub-select at " + change.offset(), true);
                    }
                    if (verdict == SubqueryJudge.NOT_OWN) continue;
                    oldIn = (verdict & SubqueryJudge.OLD_IN) != 0;
                    newIn = (verdict & SubqueryJudge.NEW_IN) != 0;
                }
                if (converter == null) converter = converters.get();
                converter.convert(change, oldIn, newIn, f.commitLsn(), f.xid(), items);
            }
            ready = new ArrayList<>(items.size() + 1);
            for (LogItem item : items) {
                if (heldBack != null) ready.add(heldBack);
                heldBack = item;
            }
            if (f.last() && heldBack != null) {
                ready.add(new LogItem(heldBack.offset(), heldBack.key(), heldBack.operation(),
                        LogItemEncoder.markLast(heldBack.json())));
                heldBack = null;
            }
            if (!ready.isEmpty()) wroteInTransaction = true;
        }
        boolean ended = f.last();
        boolean wrote = wroteInTransaction;
        if (ended) inTransaction = false;
        return new Step(ready, false, ended, wrote);
    }
}
