package dev.ampere.shapes;

import dev.ampere.shapecache.storage.LogItem;

import java.util.ArrayList;
import java.util.List;

/**
 * The log items of several consecutive deliveries to one shape, converted in order by its {@link TransactionLog}
 * and not yet stored, so the consumer stores them with one append, publishes once and hands the shape to the
 * flusher once (see {@link Consumer}). It remembers where the last transaction that ended in the batch ends: items
 * up to there may be published; the items after it belong to a transaction still open and are stored unpublished.
 *
 * <p>Bounded: {@link #isFull} after {@link #MAX_FRAGMENTS} fragments or {@link #MAX_BYTES} of item JSON.
 *
 * <p>Not thread-safe: owned by the consumer's run, one batch per drain of its mailbox.
 */
final class DeliveryBatch {
    static final int MAX_FRAGMENTS = 64;
    static final long MAX_BYTES = 1 << 20;

    private final ArrayList<LogItem> items = new ArrayList<>();
    private int fragments;
    private long bytes;
    /** Items (from the start of the batch) up to the end of the last transaction that ended in it; -1: none did. */
    private int endedAt = -1;
    private long endedCommit;
    /** A transaction that ended in the batch wrote to the log: readers must be told of the new end. */
    private boolean publish;

    /** Adds what one fragment produced; {@code commitLsn} is its transaction's. A truncating step is not added. */
    void add(TransactionLog.Step step, long commitLsn) {
        if (step.truncated()) throw new IllegalArgumentException("a truncate ends the shape, it is not stored");
        List<LogItem> stepItems = step.items();
        for (int i = 0; i < stepItems.size(); i++) bytes += stepItems.get(i).json().length;
        items.addAll(stepItems);
        fragments++;
        if (step.transactionEnded()) {
            endedAt = items.size();
            endedCommit = commitLsn;
            if (step.wroteInTransaction()) publish = true;
        }
    }

    boolean isEmpty() {
        return fragments == 0;
    }

    boolean isFull() {
        return fragments >= MAX_FRAGMENTS || bytes >= MAX_BYTES;
    }

    /** True when a transaction ended in the batch. */
    boolean transactionEnded() {
        return endedAt >= 0;
    }

    /** The items up to the end of the last transaction that ended in the batch (all of them if that is the last). */
    List<LogItem> completed() {
        if (endedAt < 0) return List.of();
        return endedAt == items.size() ? items : items.subList(0, endedAt);
    }

    /** The items after the last transaction end: the start of a transaction later fragments complete. */
    List<LogItem> open() {
        int from = Math.max(endedAt, 0);
        return from == 0 ? items : items.subList(from, items.size());
    }

    /** The commit of the last transaction that ended in the batch. */
    long endedCommit() {
        return endedCommit;
    }

    boolean mustPublish() {
        return publish;
    }

    /** Empties the batch for the next deliveries. */
    void clear() {
        items.clear();
        fragments = 0;
        bytes = 0;
        endedAt = -1;
        endedCommit = 0;
        publish = false;
    }
}
