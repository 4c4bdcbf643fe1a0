package dev.ampere.postgres;

/**
 * What the ConnectionManager learned while connecting that the replication branch needs when it starts: whether
 * the stored shapes must be purged instead of recovered (a new slot, or another database timeline: their history
 * no longer matches the stream), and the slot's confirmed position. Every stored transaction with a commit LSN at
 * or below {@code resumeLsn} is complete; anything above it may be a partial write from before a crash, which
 * replication will send again.
 *
 * <p>Immutable; handed to the ReplicationSupervisor's spec when the manager starts it.
 */
public record ReplicationStart(boolean purgeStoredShapes, long resumeLsn) {}
