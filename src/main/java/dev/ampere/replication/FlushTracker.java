package dev.ampere.replication;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Decides which commit LSN may be acknowledged to Postgres: the highest one such that it and every transaction before
 * it has been durably stored by every shape it was dispatched to (docs/protocol.md §3.7). A transaction that affected no
 * shape is durable as soon as the transactions before it are, so writes to tables no shape watches never pin WAL.
 *
 * <p>Not thread-safe: owned by the ShapeLogCollector's thread. The acknowledgement callback runs on that thread.
 */
public final class FlushTracker {
    private record Pending(long commitLsn, Set<String> waiting) {}

    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final LongConsumer acknowledge;
    private long lastAcknowledged;

    public FlushTracker(LongConsumer acknowledge) {
        this.acknowledge = acknowledge;
    }

    /** A complete transaction was handed to these shapes (possibly none), in commit order. */
    public void dispatched(long commitLsn, Collection<String> shapes) {
        queue.addLast(new Pending(commitLsn, new HashSet<>(shapes)));
        advance();
    }

    /** {@code shape} has durably stored everything it was given up to and including {@code commitLsn}. */
    public void flushed(String shape, long commitLsn) {
        for (Pending p : queue) {
            if (Long.compareUnsigned(p.commitLsn(), commitLsn) > 0) break;
            p.waiting().remove(shape);
        }
        advance();
    }

    /** {@code shape} is gone (deleted, invalidated, crashed): nothing more will be stored for it. */
    public void removed(String shape) {
        for (Pending p : queue) p.waiting().remove(shape);
        advance();
    }

    /** Forgets transactions not yet acknowledged; used when the replication connection restarts and resends them. */
    public void reset() {
        queue.clear();
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
        Iterator<Pending> it = queue.iterator();
        while (it.hasNext()) {
            Pending p = it.next();
            if (!p.waiting().isEmpty()) break;
            ack = p.commitLsn();
            any = true;
            it.remove();
        }
        if (any) {
            lastAcknowledged = ack;
            acknowledge.accept(ack);
        }
    }
}
