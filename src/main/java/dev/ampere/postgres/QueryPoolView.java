package dev.ampere.postgres;

import javax.sql.DataSource;
import java.util.Optional;

/**
 * The stack's query pool (snapshots, catalog reads) as its users see it: present while the ConnectionManager has it
 * open. Users ask for it at each use and never keep it, because the manager closes and reopens it when the
 * connection tree restarts.
 *
 * <p>Snapshots take a {@link SnapshotSlot} before they ask the pool for a connection: the slots are fewer than the
 * pool's connections, handed out first come first served, so a burst of new shapes queues here for as long as it
 * takes instead of timing out in the pool, and catalog reads always find a connection (docs/protocol.md §1.15).
 *
 * <p>Thread-safe.
 */
public interface QueryPoolView {
    Optional<DataSource> current();

    /** The pool, or {@link DatabaseUnavailable} when there is none right now. */
    default DataSource require() {
        return current().orElseThrow(() -> new DatabaseUnavailable("no database connection yet", null));
    }

    /** Waits for a snapshot slot (FIFO); close it when the snapshot's connections are back in the pool. */
    default SnapshotSlot snapshotSlot() throws InterruptedException {
        return () -> { };
    }

    /** The right to hold one pooled connection for a snapshot. Closing it twice releases it once. */
    interface SnapshotSlot extends AutoCloseable {
        @Override
        void close();
    }
}
