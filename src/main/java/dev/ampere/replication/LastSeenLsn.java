package dev.ampere.replication;

/**
 * The owner's side of {@link ReplicationProgress}. Created once per stack so the figure survives restarts of the
 * replication branch.
 *
 * <p>Thread-safe. Written only by the ShapeLogCollector.
 */
public final class LastSeenLsn implements ReplicationProgress {
    private volatile long lsn;

    @Override
    public long lastSeenLsn() {
        return lsn;
    }

    /** Collector only. */
    void record(long commitLsn) {
        lsn = commitLsn;
    }
}
