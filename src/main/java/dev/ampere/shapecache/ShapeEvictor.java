package dev.ampere.shapecache;

import dev.ampere.process.ProcessRef;
import dev.ampere.shapes.ShapeState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ELECTRIC_MAX_SHAPES}: keeps the number of shapes at the limit by choosing the least recently used idle
 * shapes beyond it (docs/protocol.md §1.5) and handing them to the ShapeCache as one {@link ShapeCache.Evict}.
 *
 * <p>Idle means: the snapshot has started (a shape being created is never a victim), nobody waits on it right now,
 * and it is not ended. "Recently used" is {@link ShapeState#lastUsedNanos()}, which request threads record. The
 * ShapeCache re-checks each victim against the time seen here before it removes it, so a shape used in between
 * survives.
 *
 * <p>Place: started by the ShapeCache after recovery and closed with it. It owns nothing but its one scheduler
 * thread; it reads the {@link ShapeTable} and never writes it. The scan (one pass over the shapes, a heap of the
 * victims) runs on that thread, so choosing victims never delays a request or a creation; it runs every
 * {@link #PERIOD}, and at once after a creation that took the count over the limit.
 */
final class ShapeEvictor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShapeEvictor.class);
    static final Duration PERIOD = Duration.ofSeconds(5);

    private final String stackId;
    private final ShapeTable table;
    private final int maxShapes;
    private final ProcessRef cache;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean scanQueued = new AtomicBoolean();

    private ShapeEvictor(String stackId, ShapeTable table, int maxShapes, ProcessRef cache) {
        this.stackId = stackId;
        this.table = table;
        this.maxShapes = maxShapes;
        this.cache = cache;
        this.thread = maxShapes > 0
                ? Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("shape-evictor").factory())
                : null;
    }

    /** An evictor for the limit; with no limit (0) it does nothing at all. */
    static ShapeEvictor start(String stackId, ShapeTable table, int maxShapes, ProcessRef cache) {
        ShapeEvictor e = new ShapeEvictor(stackId, table, maxShapes, cache);
        if (e.thread != null) {
            e.thread.scheduleWithFixedDelay(e::scan, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
            e.shapeAdded();
        }
        return e;
    }

    /** From the ShapeCache after each creation: a scan follows at once when the count is over the limit. */
    void shapeAdded() {
        if (thread == null || table.size() <= maxShapes || !scanQueued.compareAndSet(false, true)) return;
        try {
            thread.execute(() -> {
                scanQueued.set(false);
                scan();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            scanQueued.set(false); // closing
        }
    }

    private record Candidate(String handle, long lastUsed) {}

    private void scan() {
        try {
            int excess = table.size() - maxShapes;
            if (excess <= 0) return;
            // The `excess` least recently used idle shapes: a max-heap on last use keeps the oldest ones.
            PriorityQueue<Candidate> oldest = new PriorityQueue<>(
                    Comparator.comparingLong(Candidate::lastUsed).reversed());
            for (ShapeState s : table.all()) {
                if (s.hasEnded() || s.snapshot() == ShapeState.Snapshot.PENDING || s.readersWaiting() > 0) continue;
                oldest.add(new Candidate(s.handle(), s.lastUsedNanos()));
                if (oldest.size() > excess) oldest.poll();
            }
            if (oldest.isEmpty()) return;
            Map<String, Long> victims = new HashMap<>();
            for (Candidate c : oldest) victims.put(c.handle(), c.lastUsed());
            cache.send(new ShapeCache.Evict(victims));
        } catch (RuntimeException e) {
            log.warn("[{}] choosing shapes to evict failed: {}", stackId, e.toString());
        }
    }

    @Override
    public void close() {
        if (thread != null) thread.shutdownNow();
    }
}
