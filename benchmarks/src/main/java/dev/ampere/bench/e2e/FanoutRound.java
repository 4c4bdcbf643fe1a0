package dev.ampere.bench.e2e;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The tally of one fan-out round: for each client, how many of the round's rows (ids {@code lo..hi}) it has
 * received and when it had them all. Clients report from their own threads.
 */
final class FanoutRound {
    private final long lo;
    private final long hi;
    private final int rows;
    private final AtomicIntegerArray counts;
    private final AtomicLongArray completed;

    FanoutRound(int clients, long lo, long hi) {
        this.lo = lo;
        this.hi = hi;
        this.rows = (int) (hi - lo + 1);
        counts = new AtomicIntegerArray(clients);
        completed = new AtomicLongArray(clients);
    }

    void onRows(int client, long[] ids, long at) {
        int k = 0;
        for (long id : ids) if (id >= lo && id <= hi) k++;
        if (k > 0 && counts.addAndGet(client, k) >= rows) completed.compareAndSet(client, 0, at);
    }

    int completeClients() {
        int c = 0;
        for (int i = 0; i < completed.length(); i++) if (completed.get(i) != 0) c++;
        return c;
    }

    int clients() {
        return completed.length();
    }

    /** Each complete client's time from {@code startNanos} until it had every row, in nanoseconds (0: incomplete). */
    long[] completionNanos(long startNanos) {
        long[] t = new long[completed.length()];
        for (int i = 0; i < t.length; i++) t[i] = completed.get(i) == 0 ? 0 : completed.get(i) - startNanos;
        return t;
    }
}
