package dev.ampere.postgres;

import javax.sql.DataSource;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The owner's side of {@link QueryPoolView}: the one place the current pool is kept, and the snapshot slots in front
 * of it.
 *
 * <p>Slots: a fair semaphore of {@link #snapshotSlots(int)} permits for a pool of {@code poolSize} connections, so a
 * quarter of the pool (at least one connection, when the pool has two or more) stays free for catalog reads and
 * snapshots never wait on Hikari's connection timeout. A snapshot holds one connection at a time, so one permit
 * covers it.
 *
 * <p>Thread-safe. The pool is written only by the ConnectionManager, which opens and closes it; read by anyone
 * holding the view. The semaphore lives as long as the stack.
 */
public final class QueryPoolSlot implements QueryPoolView {
    private final Semaphore slots;
    private volatile DataSource pool;

    public QueryPoolSlot(int poolSize) {
        this.slots = new Semaphore(snapshotSlots(poolSize), true);
    }

    /** How many snapshots may hold a connection at once from a pool of {@code poolSize}. */
    public static int snapshotSlots(int poolSize) {
        return poolSize <= 1 ? 1 : poolSize - Math.max(1, poolSize / 4);
    }

    @Override
    public Optional<DataSource> current() {
        return Optional.ofNullable(pool);
    }

    @Override
    public SnapshotSlot snapshotSlot() throws InterruptedException {
        slots.acquire();
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) slots.release();
        };
    }

    /** Snapshots waiting for a slot right now. */
    public int snapshotsWaiting() {
        return slots.getQueueLength();
    }

    /** Owner only. */
    public void publish(DataSource newPool) {
        pool = newPool;
    }

    /** Owner only. */
    public void clear() {
        pool = null;
    }
}
