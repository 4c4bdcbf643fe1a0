package dev.ampere.postgres.wal;

/**
 * The commits delivered to the sink and not yet acknowledged, in order: pairs of (commit LSN, end LSN). When the
 * sink reports a commit LSN durable, the reader pops every commit up to it and acknowledges the last one's end LSN
 * (acknowledging the commit LSN itself would make Postgres resend that transaction after a reconnect).
 *
 * <p>A growable ring of primitive longs: a slow sink with many small transactions costs 16 bytes per commit.
 * Not thread-safe; owned by the reader thread.
 */
final class CommitLsnQueue {
    private long[] commits = new long[256];
    private long[] ends = new long[256];
    private int head;
    private int size;

    void add(long commitLsn, long endLsn) {
        if (size == commits.length) grow();
        int tail = (head + size) & (commits.length - 1);
        commits[tail] = commitLsn;
        ends[tail] = endLsn;
        size++;
    }

    private void grow() {
        long[] c = new long[commits.length * 2];
        long[] e = new long[ends.length * 2];
        for (int i = 0; i < size; i++) {
            c[i] = commits[(head + i) & (commits.length - 1)];
            e[i] = ends[(head + i) & (ends.length - 1)];
        }
        commits = c;
        ends = e;
        head = 0;
    }

    /**
     * Removes every commit with commit LSN ≤ {@code durableCommitLsn} (unsigned) and returns the end LSN of the last
     * one removed, or 0 when none was.
     */
    long popDurable(long durableCommitLsn) {
        long end = 0;
        while (size > 0 && Long.compareUnsigned(commits[head], durableCommitLsn) <= 0) {
            end = ends[head];
            head = (head + 1) & (commits.length - 1);
            size--;
        }
        return end;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }
}
