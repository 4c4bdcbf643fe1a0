package dev.ampere.stack;

/** The stack's service status, as the health endpoint reports it (docs/protocol.md §1.1, §3.2). */
public enum StackStatus {
    /** Not yet holding the replication lock. */
    WAITING,
    /** Holding the lock; the replication client, pool or replication supervisor are not all up yet. */
    STARTING,
    /** Serving. */
    ACTIVE;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
