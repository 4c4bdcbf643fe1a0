package dev.ampere.process;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A process's queue of incoming messages: many senders, one reader (the owning process).
 *
 * <p>A bounded mailbox applies back-pressure: {@link #put} blocks a sender while it is full, so a fast producer
 * never holds more than {@code capacity} messages of a slow process in memory. Unbounded mailboxes (the default)
 * never block senders.
 *
 * <p>Thread-safe: backed by a {@link LinkedBlockingQueue}.
 */
public final class Mailbox {
    private final BlockingQueue<Object> queue;
    private final int capacity;

    private Mailbox(int capacity) {
        this.capacity = capacity;
        this.queue = new LinkedBlockingQueue<>(capacity);
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
        return queue.size();
    }

    /** Enqueues, waiting while a bounded mailbox is full. */
    void put(Object message) throws InterruptedException {
        queue.put(message);
    }

    /** Enqueues if there is room within {@code timeout}; false when a bounded mailbox stayed full. */
    boolean offer(Object message, Duration timeout) throws InterruptedException {
        return queue.offer(message, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    Object take() throws InterruptedException {
        return queue.take();
    }

    /** The next message, or null when none arrived within {@code timeout}. */
    Object poll(Duration timeout) throws InterruptedException {
        return queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    Object poll() {
        return queue.poll();
    }
}
