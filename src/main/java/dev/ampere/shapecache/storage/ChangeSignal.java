package dev.ampere.shapecache.storage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

/**
 * A version counter that one writer bumps each time it publishes new data, and that readers can wait on instead
 * of polling. Readers take the version, try to read, and if there was nothing new wait for the version to move.
 *
 * <p>Threading: {@link #bump()} is called by the shape's writers (the snapshot writer and the log writer, which
 * may be different threads; the increment is atomic so no bump is lost). Any number of readers may call
 * {@link #await}. The writer takes the monitor only when a reader is waiting, and only to notify, so readers never
 * hold it up for longer than a notify. Waiting uses this object's own monitor (a virtual thread in
 * {@code Object.wait} unmounts, as with a lock condition), so an idle shape's signal is this object alone: no lock,
 * condition or wait node stays behind after a reader leaves. Safe because version and waiter count are both
 * volatile: either the writer sees the waiter or the waiter sees the new version (Dekker-style), never neither.
 */
final class ChangeSignal {
    private static final VarHandle VERSION;

    static {
        try {
            VERSION = MethodHandles.lookup().findVarHandle(ChangeSignal.class, "version", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long version;
    private volatile int waiters;

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
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** Waits until the version differs from {@code seen}; returns false on timeout. */
    boolean await(long seen, long timeout, TimeUnit unit) throws InterruptedException {
        if (version != seen) return true;
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (this) {
            waiters = waiters + 1;
            try {
                while (version == seen) {
                    long nanos = deadline - System.nanoTime();
                    if (nanos <= 0) return false;
                    wait(nanos / 1_000_000, (int) (nanos % 1_000_000));
                }
                return true;
            } finally {
                waiters = waiters - 1;
            }
        }
    }
}
