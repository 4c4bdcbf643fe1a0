package dev.ampere.postgres.wal;

/**
 * Counters of the transaction assembler, for tests and metrics: they show that memory stays bounded (the peak
 * number of changes held at once) and that large streamed transactions went to disk.
 *
 * <p>Written by the replication thread only; read from any thread (values may be slightly stale).
 */
public final class AssemblerStats {
    private volatile long peakBufferedChanges;
    private volatile long fragments;
    private volatile long spilledMessages;
    private volatile long spilledBytes;
    private volatile long streamedCommits;
    private volatile long streamedAborts;

    void buffered(int n) {
        if (n > peakBufferedChanges) peakBufferedChanges = n;
    }

    void fragmentEmitted() {
        fragments++;
    }

    void spilled(int bytes) {
        spilledMessages++;
        spilledBytes += bytes;
    }

    void streamedCommit() {
        streamedCommits++;
    }

    void streamedAbort() {
        streamedAborts++;
    }

    /** The most changes held in memory at once (never above the fragment size). */
    public long peakBufferedChanges() {
        return peakBufferedChanges;
    }

    public long fragments() {
        return fragments;
    }

    /** Messages of in-progress streamed transactions written to spill files. */
    public long spilledMessages() {
        return spilledMessages;
    }

    public long spilledBytes() {
        return spilledBytes;
    }

    public long streamedCommits() {
        return streamedCommits;
    }

    public long streamedAborts() {
        return streamedAborts;
    }
}
