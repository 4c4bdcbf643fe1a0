package dev.ampere.replication;

/**
 * How far the stack has processed the replication stream, as HTTP reads it for {@code global_last_seen_lsn}.
 *
 * <p>Thread-safe.
 */
public interface ReplicationProgress {
    /** The commit LSN (unsigned) of the last transaction the log collector dispatched; 0 before any. */
    long lastSeenLsn();
}
