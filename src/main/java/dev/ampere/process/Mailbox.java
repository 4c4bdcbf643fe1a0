package dev.ampere.process;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A process's queue of incoming messages: many senders, one reader (the owning process).
 *
 * <p>A bounded mailbox applies back-pressure: {@link #put} blocks a sender while it is full, so a fast producer
 * never holds more than {@code capacity} messages of a slow process in memory. Unbounded mailboxes (the default)
 * never block senders.
 *
 * <p>Why hand-written on a {@link ConcurrentLinkedQueue} rather than a {@code LinkedBlockingQueue}: a stack holds
 * one mailbox per shape, mostly empty (docs/architecture.md, idle shapes), and a blocking queue carries two locks
 * and two conditions (about 250 bytes) for waits that this one does with a parked reader thread and, only when a
 * bounded mailbox is full, this object's monitor (about 80 bytes in all). Messages are never lost or reordered:
 * the queue is the JDK's lock-free one; {@code size} only counts them for the bound.
 *
 * <p>Thread-safe for many senders; {@link #take} and {@link #poll} only from the owning process's thread (one
 * reader at a time: a process has one run at a time, see {@link ProcessRef}).
 */
public final class Mailbox {
    private static final VarHandle SIZE;
    private static final VarHandle READER;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SIZE = l.findVarHandle(Mailbox.class, "size", int.class);
            READER = l.findVarHandle(Mailbox.class, "reader", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final int capacity;
    /** Messages queued or being queued (incremented before the enqueue, decremented after the dequeue). */
    private volatile int size;
    /** The reader while it is parked waiting for a message, else null. */
    private volatile Thread reader;
    /** Senders waiting on this object's monitor for room in a full bounded mailbox. */
    private volatile int blockedSenders;
    /** Set when the process has exited: nothing will read again, so nothing more is queued. */
    private volatile boolean closed;

    private Mailbox(int capacity) {
        this.capacity = capacity;
    }

    public static Mailbox unbounded() {
        return new Mailbox(Integer.MAX_VALUE);
    }

    public static Mailbox bounded(int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("capacity must be positive");
        return new Mailbox(capacity);
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return Math.max(0, size);
    }

    /** True when no message is queued (a message being queued right now may not count yet). */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Enqueues, waiting while a bounded mailbox is full. */
    void put(Object message) throws InterruptedException {
        offer(message, null);
    }

    /**
     * Enqueues if there is room within {@code timeout} (null: as long as it takes); false when a bounded mailbox
     * stayed full or was closed.
     */
    boolean offer(Object message, Duration timeout) throws InterruptedException {
        long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
        while (true) {
            if (closed) return false;
            int s = size;
            if (s < capacity) {
                if (SIZE.compareAndSet(this, s, s + 1)) break;
                continue;
            }
            if (timeout != null && deadline - System.nanoTime() <= 0) return false;
            awaitRoom(timeout == null ? 0 : deadline);
        }
        queue.offer(message);
        Thread r = reader;
        if (r != null) LockSupport.unpark(r);
        return true;
    }

    /**
     * Waits on this object's monitor until the mailbox has room or the deadline (0: none) passes. No wake-up is
     * lost: a sender counts itself in {@code blockedSenders} before it reads {@code size}, and the reader lowers
     * {@code size} before it reads {@code blockedSenders}, so one of them sees the other's write.
     */
    private synchronized void awaitRoom(long deadline) throws InterruptedException {
        blockedSenders++;
        try {
            while (size >= capacity && !closed) {
                if (deadline == 0) {
                    wait();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return;
                    wait(Math.max(1, left / 1_000_000));
                }
            }
        } finally {
            blockedSenders--;
        }
    }

    /** The process exited: drops what is queued and releases every sender waiting for room. */
    void close() {
        closed = true;
        while (poll() != null) {
            // drop
        }
        synchronized (this) {
            notifyAll();
        }
    }

    Object take() throws InterruptedException {
        return poll(-1);
    }

    /** The next message, or null when none arrived within {@code timeout}. */
    Object poll(Duration timeout) throws InterruptedException {
        return poll(timeout.toNanos());
    }

    /** The next message at once, or null. */
    Object poll() {
        Object m = queue.poll();
        if (m != null) taken();
        return m;
    }

    /** Waits up to {@code timeoutNanos} (negative: forever) for a message. */
    private Object poll(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            Object m = poll();
            if (m != null) return m;
            if (Thread.interrupted()) throw new InterruptedException();
            long left = deadline - System.nanoTime();
            if (timeoutNanos >= 0 && left <= 0) return null;
            // A sender enqueues before it reads the reader; we publish the reader before we look again: either
            // we see its message, or it sees us and unparks us.
            READER.setVolatile(this, Thread.currentThread());
            try {
                if (!queue.isEmpty()) continue;
                if (timeoutNanos < 0) LockSupport.park(this);
                else LockSupport.parkNanos(this, left);
            } finally {
                READER.setVolatile(this, null);
            }
        }
    }

    private void taken() {
        SIZE.getAndAdd(this, -1);
        if (blockedSenders > 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }
}
