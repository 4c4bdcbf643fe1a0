package dev.ampere.shapecache.storage;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A version counter that one writer bumps each time it publishes new data, and that readers can wait on instead
 * of polling. Readers take the version, try to read, and if there was nothing new wait for the version to move.
 *
 * <p>Threading: {@link #bump()} is called by the shape's writers (the snapshot writer and the log writer, which
 * may be different threads; the increment is atomic so no bump is lost). Any number of readers may call
 * {@link #await}. The writer takes the lock only when a reader is waiting, and only to signal, so readers never
 * hold it up for longer than a condition signal. The lock and condition are created on first wait so an idle
 * shape costs a few bytes. Safe because version and waiter count are both volatile: either the writer sees the
 * waiter or the waiter sees the new version (Dekker-style), never neither.
 */
final class ChangeSignal {
    private static final java.lang.invoke.VarHandle VERSION;

    static {
        try {
            VERSION = java.lang.invoke.MethodHandles.lookup().findVarHandle(ChangeSignal.class, "version", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long version;
    private volatile int waiters;
    private volatile ReentrantLock lock;
    private Condition changed;

    long version() {
        return version;
    }

    /** Readers in {@link #await} at this moment. */
    int waiters() {
        return waiters;
    }

    /** Writers only: publish a new version and wake waiters. */
    void bump() {
        VERSION.getAndAdd(this, 1L);
        if (waiters > 0) {
            ReentrantLock l = lock;
            l.lock();
            try {
                changed.signalAll();
            } finally {
                l.unlock();
            }
        }
    }

    /** Waits until the version differs from {@code seen}; returns false on timeout. */
    boolean await(long seen, long timeout, TimeUnit unit) throws InterruptedException {
        if (version != seen) return true;
        ReentrantLock l = lockFor();
        long nanos = unit.toNanos(timeout);
        l.lock();
        try {
            waiters = waiters + 1;
            try {
                while (version == seen) {
                    if (nanos <= 0) return false;
                    nanos = changed.awaitNanos(nanos);
                }
                return true;
            } finally {
                waiters = waiters - 1;
            }
        } finally {
            l.unlock();
        }
    }

    private ReentrantLock lockFor() {
        ReentrantLock l = lock;
        if (l != null) return l;
        synchronized (this) {
            if (lock == null) {
                ReentrantLock created = new ReentrantLock();
                changed = created.newCondition();
                lock = created;
            }
            return lock;
        }
    }
}
