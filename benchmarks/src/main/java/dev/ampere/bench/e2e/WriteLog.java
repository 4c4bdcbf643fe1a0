package dev.ampere.bench.e2e;

import org.HdrHistogram.Histogram;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The timeline of one run of single-row writes with ids {@code base+1..base+n}: when each write was scheduled, when its
 * COMMIT started, and when each of two observers (Ampere's clients and the replication baseline) first saw the row.
 * Observers mark from any thread; the summaries are read after the run.
 */
final class WriteLog {
    private final long base;
    private final int n;
    private final AtomicLongArray scheduled;
    private final AtomicLongArray commitStart;
    private final AtomicLongArray seenByClients;
    private final AtomicLongArray seenByBaseline;

    WriteLog(long base, int n) {
        this.base = base;
        this.n = n;
        scheduled = new AtomicLongArray(n);
        commitStart = new AtomicLongArray(n);
        seenByClients = new AtomicLongArray(n);
        seenByBaseline = new AtomicLongArray(n);
    }

    int size() {
        return n;
    }

    /** The id of the {@code i}-th write (1-based). */
    long id(int i) {
        return base + i;
    }

    void wrote(long id, long scheduledNanos, long commitStartNanos) {
        scheduled.set((int) (id - base) - 1, scheduledNanos);
        commitStart.set((int) (id - base) - 1, commitStartNanos);
    }

    void clientSaw(long id, long nanos) {
        mark(seenByClients, id, nanos);
    }

    void baselineSaw(long id, long nanos) {
        mark(seenByBaseline, id, nanos);
    }

    private void mark(AtomicLongArray seen, long id, long nanos) {
        long i = id - base;
        if (i >= 1 && i <= n) seen.compareAndSet((int) i - 1, 0, nanos);
    }

    int clientCount() {
        return count(seenByClients);
    }

    int baselineCount() {
        return count(seenByBaseline);
    }

    private int count(AtomicLongArray seen) {
        int c = 0;
        for (int i = 0; i < n; i++) if (seen.get(i) != 0) c++;
        return c;
    }

    /** COMMIT start → first sight, for the written rows an observer saw. */
    LatencySummary fromCommit(boolean clients) {
        return summary(clients ? seenByClients : seenByBaseline, commitStart);
    }

    /**
     * Scheduled time → first sight: corrected for coordinated omission, because a writer that falls behind its
     * fixed-rate schedule delays every later write, and that delay counts against the latency too.
     */
    LatencySummary fromSchedule(boolean clients) {
        return summary(clients ? seenByClients : seenByBaseline, scheduled);
    }

    /** How far the writer's COMMITs lagged behind their schedule. */
    LatencySummary writerLag() {
        Histogram h = LatencySummary.newHistogram();
        for (int i = 0; i < n; i++) {
            if (commitStart.get(i) != 0) LatencySummary.recordNanos(h, commitStart.get(i) - scheduled.get(i));
        }
        return LatencySummary.of(h);
    }

    private LatencySummary summary(AtomicLongArray seen, AtomicLongArray from) {
        Histogram h = LatencySummary.newHistogram();
        for (int i = 0; i < n; i++) {
            if (seen.get(i) != 0 && from.get(i) != 0) LatencySummary.recordNanos(h, seen.get(i) - from.get(i));
        }
        return LatencySummary.of(h);
    }
}
