package dev.ampere.replication;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Decides which commit LSN may be acknowledged to Postgres: the highest one such that it and every transaction before
 * it has been durably stored by every shape it was dispatched to (docs/protocol.md §3.7). A transaction that affected no
 * shape is durable as soon as the transactions before it are, so writes to tables no shape watches never pin WAL.
 *
 * <p>Each pending transaction counts the shapes it still waits for, and each shape keeps its own queue of the pending
 * transactions it was given, in commit order: a durability report pops that shape's queue up to the reported commit,
 * so the work is one step per (transaction, shape) pair dispatched, however many shapes report per flush pass and
 * however long the queue of pending transactions grows meanwhile.
 *
 * <p>Not thread-safe: owned by the ShapeLogCollector's thread. The acknowledgement callback runs on that thread.
 */
public final class FlushTracker {
    private static final class Pending {
        final long commitLsn;
        int waiting;

        Pending(long commitLsn, int waiting) {
            this.commitLsn = commitLsn;
            this.waiting = waiting;
        }
    }

    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** Per shape, the pending transactions it still has to report durable (no entry when none). */
    private final Map<String, ArrayDeque<Pending>> byShape = new HashMap<>();
    private final LongConsumer acknowledge;
    private long lastAcknowledged;

    public FlushTracker(LongConsumer acknowledge) {
        this.acknowledge = acknowledge;
    }

    /** A complete transaction was handed to these shapes (possibly none, never one twice), in commit order. */
    public void dispatched(long commitLsn, Collection<String> shapes) {
        Pending p = new Pending(commitLsn, shapes.size());
        queue.addLast(p);
        for (String shape : shapes) byShape.computeIfAbsent(shape, k -> new ArrayDeque<>(4)).addLast(p);
        advance();
    }

    /** {@code shape} has durably stored everything it was given up to and including {@code commitLsn}. */
    public void flushed(String shape, long commitLsn) {
        ArrayDeque<Pending> mine = byShape.get(shape);
        if (mine == null) return;
        while (!mine.isEmpty() && Long.compareUnsigned(mine.peekFirst().commitLsn, commitLsn) <= 0) {
            mine.pollFirst().waiting--;
        }
        if (mine.isEmpty()) byShape.remove(shape);
        advance();
    }

    /** {@code shape} is gone (deleted, invalidated, crashed): nothing more will be stored for it. */
    public void removed(String shape) {
        ArrayDeque<Pending> mine = byShape.remove(shape);
        if (mine == null) return;
        for (Pending p : mine) p.waiting--;
        advance();
    }

    /** Forgets transactions not yet acknowledged; used when the replication connection restarts and resends them. */
    public void reset() {
        queue.clear();
        byShape.clear();
    }

    public int pendingTransactions() {
        return queue.size();
    }

    public long lastAcknowledged() {
        return lastAcknowledged;
    }

    private void advance() {
        long ack = 0;
        boolean any = false;
        while (!queue.isEmpty() && queue.peekFirst().waiting == 0) {
            ack = queue.pollFirst().commitLsn;
            any = true;
        }
        if (any) {
            lastAcknowledged = ack;
            acknowledge.accept(ack);
        }
    }
}
