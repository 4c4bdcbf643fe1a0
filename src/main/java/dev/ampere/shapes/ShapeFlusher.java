package dev.ampere.shapes;

import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessContext;
import dev.ampere.process.ProcessRef;
import dev.ampere.process.ProcessRegistry;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.StorageFaultException;
import dev.ampere.shapecache.storage.StorageSync;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stack's durability step (docs/architecture.md, "Data flow"): makes the shapes' stored changes durable in
 * passes shared by every shape, and reports what each pass made durable to the log collector, which acknowledges to
 * Postgres only commits every affected shape reported. Visibility does not wait for it: a consumer publishes a
 * transaction to its readers as soon as it is appended, and hands the shape to this process
 * ({@link ChangeFeed#stored}, {@link PendingFlush}) at most once per pass.
 *
 * <p>Place in the tree: the last child of the ReplicationSupervisor (one_for_all), registered as
 * {@code Names.SHAPE_FLUSHER}, so it restarts with the consumers, the collector and the cache, and stops before
 * them (its last pass's shapes are then resent by Postgres, as anything unacknowledged is).
 *
 * <p>A pass: the first hand-over starts it; it waits out {@link #INTERVAL} since the previous pass began, taking
 * every hand-over that arrives meanwhile, so a busy stack runs passes back to back, each covering whatever piled up
 * while the previous one synced, and an idle one syncs within {@code INTERVAL} of a lone change. It then reads each
 * shape's stored commit ({@link PendingFlush#take}), makes all of them durable with one call of their storage's
 * {@link StorageSync} (one {@code syncfs} of the file system for Chronicle storage on Linux, else an fsync per
 * shape), and sends one report for the whole pass.
 *
 * <p>Why this process syncs storage it does not own, instead of asking each consumer to flush its own: durability
 * is not a write. Each shape's storage has one writer, its consumer, and that stays so: a sync reads only what the
 * writer has published (the log's end, through a volatile, after the data is in the mapped pages) and asks the
 * kernel to write the files' pages back; it never touches a Chronicle appender (they are bound to their writer's
 * thread), a mapped buffer or the writer's state. Asking consumers instead would wake every dirty shape's thread
 * (hibernated ones too) once per pass and still cost one fsync per shape, which is what limited ingest with many
 * shapes. Because the flusher holds the hand-over, a consumer has nothing of its own left unflushed once it has handed
 * a shape over, so it may hibernate at once; the pass reports the shape all the same.
 *
 * <p>When storage cannot take writes (disk full), the pass waits for space ({@link ShapeStorage#awaitWritable}) and
 * syncs again, reporting nothing meanwhile; any other failure of a sync crashes this process (durability of what
 * was written is then unknown), which restarts the replication branch: Postgres resends everything unacknowledged.
 *
 * <p>Threading: a process; the pass under way is confined to its thread. Hand-overs are messages.
 */
public final class ShapeFlusher implements ProcessBody {
    private static final Logger log = LoggerFactory.getLogger(ShapeFlusher.class);
    /** The least time between the starts of two passes. */
    public static final Duration INTERVAL = Duration.ofMillis(10);
    private static final Duration STORAGE_RETRY = Duration.ofSeconds(1);

    /** From a consumer, through {@link #handOver}: this shape has stored changes to make durable. */
    record Dirty(PendingFlush pending) {}

    private final ChangeFeed.Reports reports;
    private final ShapeMetrics metrics;
    private final Duration interval;

    public ShapeFlusher(ChangeFeed.Reports reports, ShapeMetrics metrics) {
        this(reports, metrics, INTERVAL);
    }

    public ShapeFlusher(ChangeFeed.Reports reports, ShapeMetrics metrics, Duration interval) {
        this.reports = reports;
        this.metrics = metrics;
        this.interval = interval;
    }

    /** The consumers' side: hands a shape to the flusher registered under {@code name}; false if none runs. */
    public static boolean handOver(ProcessRegistry registry, Object name, PendingFlush pending) {
        return registry.whereis(name).map(f -> f.send(new Dirty(pending))).orElse(false);
    }

    /** The same, to a known flusher (tests). */
    public static boolean handOver(ProcessRef flusher, PendingFlush pending) {
        return flusher.send(new Dirty(pending));
    }

    @Override
    public void run(ProcessContext ctx) throws Exception {
        ctx.started();
        List<PendingFlush> batch = new ArrayList<>();
        long lastPass = System.nanoTime() - interval.toNanos();
        while (true) {
            add(batch, ctx.receive());
            long left;
            while ((left = lastPass + interval.toNanos() - System.nanoTime()) > 0) {
                Object m = ctx.receive(Duration.ofNanos(left));
                if (m == null) break;
                add(batch, m);
            }
            for (Object m = ctx.receive(Duration.ZERO); m != null; m = ctx.receive(Duration.ZERO)) add(batch, m);
            lastPass = System.nanoTime();
            if (!batch.isEmpty()) pass(batch);
            batch.clear();
        }
    }

    private static void add(List<PendingFlush> batch, Object m) {
        if (m instanceof Dirty(PendingFlush p)) batch.add(p);
    }

    private void pass(List<PendingFlush> batch) throws Exception {
        long started = System.nanoTime();
        List<ChangeFeed.Durable> durable = new ArrayList<>(batch.size());
        Map<StorageSync, List<ShapeStorage>> groups = new IdentityHashMap<>(2);
        for (PendingFlush p : batch) {
            durable.add(new ChangeFeed.Durable(p.handle(), p.take())); // read before the sync starts
            groups.computeIfAbsent(p.storage().syncGroup(), g -> new ArrayList<>(batch.size())).add(p.storage());
        }
        for (Map.Entry<StorageSync, List<ShapeStorage>> g : groups.entrySet()) {
            untilSynced(g.getKey(), g.getValue());
        }
        metrics.flushed(System.nanoTime() - started);
        reports.flushed(durable);
    }

    private static void untilSynced(StorageSync sync, List<ShapeStorage> shapes) throws Exception {
        while (true) {
            try {
                sync.syncAll(shapes);
                return;
            } catch (StorageFaultException e) {
                log.debug("shape log sync waits for storage: {}", e.getMessage());
                shapes.getFirst().awaitWritable(STORAGE_RETRY);
            }
        }
    }
}
