package dev.ampere.shapecache.storage;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how many shape logs have their Chronicle queue open at once. Each open queue holds two mapped files and
 * their descriptors; 100k open queues would exhaust both the descriptor limit and the mapping limit, so queues
 * live in an LRU of at most {@code maxOpen} and are reopened on demand (about a millisecond).
 *
 * <p>Users take a {@link Lease} for the duration of one append batch or one read, never longer. A queue is
 * closed only when it is out of the LRU <em>and</em> no lease holds it, so an in-flight read or write never sees
 * its queue closed underneath it; when every queue is leased the pool grows past {@code maxOpen} until leases end.
 *
 * <p>Threading: thread-safe. The pool lock guards only the map and reference counts; opening and closing queues
 * (the slow parts) happen outside it, and evicted queues are closed by one background thread, so one thread
 * opening a cold queue never delays another shape's writer. A second thread wanting the same opening queue waits
 * for that open only. A queue being closed in the background may briefly coexist with a fresh instance of the
 * same directory, which Chronicle supports (it is built for many processes sharing one queue).
 */
final class QueuePool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueuePool.class);

    private static final int MAX_IDLE_TAILERS = 4;
    private final int maxOpen;
    private final Function<ShapePath, SingleChronicleQueue> opener;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<ShapePath, Entry> lru = new LinkedHashMap<>(16, 0.75f, true);
    private final java.util.concurrent.ExecutorService closer = java.util.concurrent.Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("shape-queue-closer").daemon(true).factory());
    private boolean closed;

    QueuePool(int maxOpen, Function<ShapePath, SingleChronicleQueue> opener) {
        if (maxOpen < 1) throw new IllegalArgumentException("maxOpen must be positive");
        this.maxOpen = maxOpen;
        this.opener = opener;
    }

    /** One open queue (keyed by its shape: the Path is made only to open it) and, once the writer asks, its appender. */
    private static final class Entry {
        final ShapePath dir;
        final CompletableFuture<SingleChronicleQueue> queue = new CompletableFuture<>();
        ExcerptAppender appender; // touched only by the shape's single log writer, under a lease
        final java.util.ArrayDeque<ExcerptTailer> idleTailers = new java.util.ArrayDeque<>(2); // pool lock
        int leases;
        boolean inLru = true;
        boolean closed;

        Entry(ShapePath dir) {
            this.dir = dir;
        }
    }

    /** A hold on an open queue; close it promptly. Not thread-safe: use from one thread. */
    final class Lease implements AutoCloseable {
        private final Entry entry;
        private final SingleChronicleQueue queue;
        private boolean released;

        private Lease(Entry entry, SingleChronicleQueue queue) {
            this.entry = entry;
            this.queue = queue;
        }

        SingleChronicleQueue queue() {
            return queue;
        }

        /** The queue's appender, created once per open queue. Only the shape's log writer may call this. */
        ExcerptAppender appender() {
            if (entry.appender == null) {
                ExcerptAppender a = queue.createAppender();
                // One writer per shape is our own invariant; the writer thread may change after a consumer restart.
                a.singleThreadedCheckDisabled(true);
                entry.appender = a;
            }
            return entry.appender;
        }

        /**
         * A tailer for this queue, reused across reads because creating one costs tens of microseconds. The caller
         * has it alone until {@link #returnTailer}; its position is arbitrary.
         */
        ExcerptTailer borrowTailer() {
            lock.lock();
            try {
                ExcerptTailer t = entry.idleTailers.pollLast();
                if (t != null) return t;
            } finally {
                lock.unlock();
            }
            ExcerptTailer t = queue.createTailer();
            t.singleThreadedCheckDisabled(true); // handed between reader threads, one at a time, via the pool lock
            return t;
        }

        void returnTailer(ExcerptTailer t) {
            lock.lock();
            try {
                if (!entry.closed && entry.idleTailers.size() < MAX_IDLE_TAILERS) {
                    entry.idleTailers.addLast(t);
                    return;
                }
            } finally {
                lock.unlock();
            }
            t.close();
        }

        @Override
        public void close() {
            if (released) return;
            released = true;
            release(entry);
        }
    }

    Lease acquire(ShapePath dir) {
        Entry entry;
        boolean mustOpen = false;
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("storage closed");
            entry = lru.get(dir);
            if (entry == null) {
                entry = new Entry(dir);
                lru.put(dir, entry);
                mustOpen = true;
            }
            entry.leases++;
        } finally {
            lock.unlock();
        }
        if (mustOpen) {
            try {
                entry.queue.complete(opener.apply(dir));
            } catch (RuntimeException | Error e) {
                entry.queue.completeExceptionally(e);
                forget(entry);
                throw e;
            }
            closeInBackground(evictionCandidates());
        }
        try {
            return new Lease(entry, entry.queue.join());
        } catch (java.util.concurrent.CompletionException e) {
            release(entry);
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    /** Removes a queue from the pool (shape deleted); it is closed now, or when its last lease ends. */
    void evict(ShapePath dir) {
        List<Entry> toClose = new ArrayList<>(1);
        lock.lock();
        try {
            Entry e = lru.remove(dir);
            if (e != null) {
                e.inLru = false;
                if (e.leases == 0 && !e.closed) {
                    e.closed = true;
                    toClose.add(e);
                }
            }
        } finally {
            lock.unlock();
        }
        closeAll(toClose);
    }

    int openCount() {
        lock.lock();
        try {
            return lru.size();
        } finally {
            lock.unlock();
        }
    }

    private void release(Entry entry) {
        List<Entry> toClose = List.of();
        boolean overCapacity;
        lock.lock();
        try {
            entry.leases--;
            if (entry.leases == 0 && !entry.inLru && !entry.closed) {
                entry.closed = true;
                toClose = List.of(entry);
            }
            overCapacity = lru.size() > maxOpen;
        } finally {
            lock.unlock();
        }
        closeAll(toClose);
        if (overCapacity) closeInBackground(evictionCandidates());
    }

    private void forget(Entry entry) {
        lock.lock();
        try {
            if (lru.get(entry.dir) == entry) lru.remove(entry.dir);
            entry.inLru = false;
            entry.leases--;
            entry.closed = true;
        } finally {
            lock.unlock();
        }
    }

    /** Takes least recently used, unleased queues out of the pool until it is back to {@code maxOpen}. */
    private List<Entry> evictionCandidates() {
        lock.lock();
        try {
            int excess = lru.size() - maxOpen;
            if (excess <= 0) return List.of();
            List<Entry> out = new ArrayList<>(excess);
            for (Iterator<Map.Entry<ShapePath, Entry>> it = lru.entrySet().iterator(); it.hasNext() && excess > 0; ) {
                Entry e = it.next().getValue();
                if (e.leases == 0 && e.queue.isDone() && !e.closed) {
                    it.remove();
                    e.inLru = false;
                    e.closed = true;
                    out.add(e);
                    excess--;
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closing a queue unmaps its files and takes about a millisecond; LRU victims are closed on a background
     * thread so the reader or writer that caused the eviction does not pay for it.
     */
    private void closeInBackground(List<Entry> entries) {
        if (entries.isEmpty()) return;
        try {
            closer.execute(() -> closeAll(entries));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            closeAll(entries); // pool closing: close inline
        }
    }

    private static void closeAll(List<Entry> entries) {
        for (Entry e : entries) {
            try {
                if (e.appender != null) e.appender.close();
                for (ExcerptTailer t : e.idleTailers) t.close();
                SingleChronicleQueue q = e.queue.getNow(null);
                if (q != null) q.close();
            } catch (RuntimeException ex) {
                log.warn("closing shape log queue {} failed", e.dir.logDir(), ex);
            }
        }
    }

    @Override
    public void close() {
        List<Entry> toClose = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            for (Entry e : lru.values()) {
                e.inLru = false;
                if (e.leases == 0 && !e.closed) {
                    e.closed = true;
                    toClose.add(e);
                }
            }
            lru.clear();
        } finally {
            lock.unlock();
        }
        closeAll(toClose);
        closer.close(); // waits for background closes already queued
    }
}
