package dev.ampere.shapecache;

import dev.ampere.changes.LogOffset;
import dev.ampere.config.Config;
import dev.ampere.process.Call;
import dev.ampere.process.Down;
import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessContext;
import dev.ampere.process.ProcessRef;
import dev.ampere.postgres.ReplicationStart;
import dev.ampere.postgres.TableInfo;
import dev.ampere.shapecache.storage.StorageFaultException;
import dev.ampere.shapecache.storage.StorageSpace;
import dev.ampere.shapecache.storage.ChronicleStackStorage;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.SnapshotInfo;
import dev.ampere.shapecache.storage.StackStorage;
import dev.ampere.stack.StackEvent;
import dev.ampere.stack.StackEvents;
import dev.ampere.shapes.Consumer;
import dev.ampere.shapes.DefinitionKey;
import dev.ampere.shapes.DynamicConsumerSupervisor;
import dev.ampere.shapes.PublicationSetup;
import dev.ampere.shapes.ShapeDefinition;
import dev.ampere.shapes.ShapeDefinitionCodec;
import dev.ampere.shapes.ShapeState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Creates, finds and removes shapes (docs/protocol.md §3.9).
 *
 * <p>Place in the tree: the last child of the ReplicationSupervisor (one_for_all), after the
 * DynamicConsumerSupervisor and the log collector. It owns the stack's shape storage and is the only writer of
 * the {@link ShapeTable}, which HTTP reads through a {@link ShapeDirectory}. The choice of a new shape's handle is
 * serialised here, so concurrent identical requests share one handle; its storage and processes are set up on a
 * task of their own, so distinct shapes are created in parallel. At start it recovers the shapes stored by the
 * previous run (each gets a consumer, no new snapshot; one whose table no longer replicates is deleted), or purges
 * them all when the slot had to be created or the database timeline changed.
 *
 * <p>A shape's state belongs to its consumer: removal is a {@link Consumer.Remove} message to it, never a write
 * from here. The consumer marks the shape ended (its readers answer 409) and exits (stopping its snapshotter, if
 * any); this process hears it through its monitor on the consumer and deletes the shape's storage. A shape that
 * ends by itself (truncate, schema change, failed snapshot) takes the same path. A hibernated consumer is alive:
 * its monitor does not fire, and its shape stays.
 *
 * <p>It also owns the stack's {@link PublicationSetup} and the count of shapes per table it reads: a table is counted
 * from just before its shape's processes start until they have stopped, and the table leaves the publication (after
 * a debounce, off this thread) when its count reaches zero. With {@code ELECTRIC_MAX_SHAPES}, a {@link ShapeEvictor}
 * chooses the least recently used idle shapes on its own thread; this process only removes them. Storage is deleted
 * on a thread of its own, so a wave of removals never holds up the creations queued behind it.
 *
 * <p>While shape storage cannot take writes (disk full), creation answers {@link ShapesUnavailable} (503 with
 * retry-after); existing shapes keep their consumers, which hold their changes until the space returns
 * (see {@link Consumer}), so nothing is removed or recreated for it.
 *
 * <p>Threading: a process; all fields are confined to its thread, except the per-table counts, which only it writes
 * and the PublicationSetup's clean-up thread reads.
 */
public final class ShapeCache implements ProcessBody {
    private static final Logger log = LoggerFactory.getLogger(ShapeCache.class);
    private static final Duration REMOVE_SEND_TIMEOUT = Duration.ofSeconds(1);

    record GetOrCreate(ShapeDefinition definition) {}

    record Delete(String handle) {}

    /** From the {@link ShapeEvictor}: these idle shapes, with the last use it saw, are the least recently used. */
    record Evict(Map<String, Long> lastUsed) {}

    /** From a creation task: the new shape's storage and processes are ready. */
    private record Created(ShapeState state, ProcessRef consumer) {}

    /** From a creation task: the shape could not be created. */
    private record CreationFailed(DefinitionKey key, String handle, Exception error) {}

    /** A creation in flight: its handle, and the calls that asked for its definition meanwhile. */
    private record Creation(String handle, List<Call> waiters) {}

    private final String stackId;
    private final StackEvents events;
    private final Config config;
    private final ShapeTable table;
    private final ReplicationStart start;
    private final DynamicConsumerSupervisor.Deps deps;
    private final Object consumersName;
    private final ShapeCacheMetrics metrics;
    /** Every shape's consumer, which this process monitors; hibernated ones included (hibernating is not exiting). */
    private final Map<String, ProcessRef> consumerOf = new HashMap<>();
    private StackStorage storage;
    private ProcessRef consumers;
    private ProcessContext ctx;
    // Publication clean-up (docs/protocol.md §3.5): how many shapes with running processes use each table (by oid).
    // Written only here; the PublicationSetup reads it to decide which tables may leave the publication.
    private final ConcurrentHashMap<Integer, Integer> shapesPerTable = new ConcurrentHashMap<>();
    private final Map<String, List<Integer>> tableOfShape = new HashMap<>();
    private PublicationSetup publications;
    // ELECTRIC_MAX_SHAPES: chooses victims on its own thread; and storage is deleted on another, off this one.
    private ShapeEvictor evictor;
    private ExecutorService deleter;
    // Creation: this thread picks the handle (so identical definitions share it); tasks create storage and start
    // processes in parallel and report back with Created / CreationFailed.
    private final Map<DefinitionKey, Creation> creating = new HashMap<>();
    private ExecutorService creations;

    public ShapeCache(StackEvents events, Config config, ShapeTable table, ReplicationStart start,
                      DynamicConsumerSupervisor.Deps deps, Object consumersName) {
        this(events, config, table, start, deps, consumersName, ShapeCacheMetrics.NONE);
    }

    public ShapeCache(StackEvents events, Config config, ShapeTable table, ReplicationStart start,
                      DynamicConsumerSupervisor.Deps deps, Object consumersName, ShapeCacheMetrics metrics) {
        this.metrics = metrics;
        this.stackId = config.stackId();
        this.events = events;
        this.config = config;
        this.table = table;
        this.start = start;
        this.deps = deps;
        this.consumersName = consumersName;
    }

    @Override
    public void run(ProcessContext ctx) throws Exception {
        this.ctx = ctx;
        consumers = deps.registry().whereis(consumersName).orElseThrow();
        ChronicleStackStorage chronicle = new ChronicleStackStorage(config.storageDir(), stackId,
                config.chunkBytesThreshold(), ChronicleStackStorage.DEFAULT_MAX_OPEN_QUEUES, storageListener());
        storage = chronicle;
        events.storageRecheck(() -> chronicle.space().fault());
        publications = new PublicationSetup(deps.pool(), deps.publication(), shapesPerTable::containsKey,
                PublicationSetup.DEBOUNCE);
        deleter = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("shape-storage-deleter").factory());
        creations = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("shape-creation").factory());
        try {
            table.clear();
            recover();
            // Tables left in the publication by shapes that are gone (or by the previous run) leave it now.
            publications.tableUnused();
            evictor = ShapeEvictor.start(stackId, table, config.maxShapes(), ctx.self());
            table.setAvailable(true);
            ctx.started();
            while (true) {
                switch (ctx.receive()) {
                    case Call c -> handleCall(c);
                    case Evict(Map<String, Long> lastUsed) -> evict(lastUsed);
                    case Created(ShapeState state, ProcessRef consumer) -> created(state, consumer);
                    case CreationFailed(DefinitionKey key, String handle, Exception e) -> creationFailed(key, handle, e);
                    case Down d -> {
                        String handle = DynamicConsumerSupervisor.handleOf(d.process());
                        if (handle != null && consumerOf.remove(handle, d.process())) {
                            releaseTable(handle);
                            cleanUp(handle);
                        }
                    }
                    default -> { }
                }
            }
        } finally {
            shutdown();
        }
    }

    /** One request's failure is that request's: it never takes the cache (and every shape) down. */
    private void handleCall(Call c) {
        try {
            switch (c.request()) {
                case GetOrCreate(ShapeDefinition d) -> getOrCreate(d, c);
                case Delete(String handle) -> c.reply(remove(handle, "deleted"));
                default -> c.fail(new IllegalArgumentException("unknown request " + c.request()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            c.fail(e);
        } catch (Exception e) {
            log.warn("[{}] shape request failed: {}", stackId, e.toString());
            c.fail(e);
        }
    }

    private void recover() throws Exception {
        if (start.purgeStoredShapes()) {
            storage.deleteAll();
            log.info("[{}] purged stored shapes: the replication slot or the database timeline is new", stackId);
            return;
        }
        StackStorage.Recovery recovery = storage.recover();
        int total = recovery.shapes().size();
        int recovered = 0;
        Set<Integer> replicating = total == 0 ? Set.of()
                : PublicationSetup.preparedTables(deps.pool().require(), deps.publication());
        long lastReport = System.nanoTime();
        for (StackStorage.StoredShape stored : recovery.shapes()) {
            try {
                ShapeDefinition d = ShapeDefinitionCodec.decode(stored.definition());
                if (!replicating.contains(d.table().oid())) {
                    // Its changes may have gone unpublished meanwhile (the publication edit was lost in a crash of
                    // Postgres, or undone by hand): the shape's log cannot be trusted to be complete.
                    throw new IllegalStateException("its table " + d.table().quotedName()
                            + " is no longer in the publication with REPLICA IDENTITY FULL");
                }
                ShapeStorage s = storage.get(stored.handle()).orElseThrow();
                ShapeState state = new ShapeState(stored.handle(), d, s, visibleAfterRestart(s.latestOffset()),
                        ShapeState.Snapshot.READY);
                table.put(state);
                startProcesses(state, Optional.of(stored.snapshot()));
                recovered++;
            } catch (RuntimeException e) {
                log.warn("[{}] dropping stored shape {}: {}", stackId, stored.handle(), e.getMessage());
                table.remove(stored.handle());
                storage.delete(stored.handle());
            }
            if (System.nanoTime() - lastReport > Duration.ofSeconds(2).toNanos()) {
                log.info("[{}] recovering shapes: {} of {}", stackId, recovered, total);
                lastReport = System.nanoTime();
            }
        }
        log.info("[{}] {} of {} stored shapes recovered{}", stackId, recovered, total,
                recovery.deletedHandles().isEmpty() ? "" : ", " + recovery.deletedHandles().size() + " incomplete ones deleted");
    }

    /**
     * What readers may see of a recovered log: only transactions the slot had confirmed, which were complete. A
     * transaction written in part before a crash stays hidden until replication resends it and the consumer
     * completes it.
     */
    private LogOffset visibleAfterRestart(LogOffset stored) {
        if (!stored.isAfter(LogOffset.LAST_BEFORE_REAL_OFFSETS) || start.resumeLsn() == 0) return stored;
        LogOffset horizon = LogOffset.of(start.resumeLsn(), LogOffset.INF);
        return stored.compareTo(horizon) <= 0 ? stored : horizon;
    }

    /**
     * Answers with the definition's live shape, or joins the creation in flight for it, or starts one: this thread
     * only chooses the handle and records the creation (so identical definitions share one handle); the storage and
     * the processes are set up by a task of their own, in parallel with other creations ({@link #create}).
     */
    private void getOrCreate(ShapeDefinition d, Call c) {
        DefinitionKey key = d.key();
        Optional<ShapeState> existing = table.byDefinition(key);
        if (existing.isPresent() && !existing.get().hasEnded()) {
            c.reply(existing.get());
            return;
        }
        Creation pending = creating.get(key);
        if (pending != null) {
            pending.waiters().add(c);
            return;
        }
        // An ended shape whose processes have not yet stopped: its successor must not wait for that.
        existing.ifPresent(s -> table.remove(s.handle()));
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        String handle = ShapeDefinition.newHandle(key, micros);
        while (table.get(handle).isPresent() || consumerOf.containsKey(handle) || tableOfShape.containsKey(handle)) {
            handle = ShapeDefinition.newHandle(key, ++micros);
        }
        List<Call> waiters = new ArrayList<>();
        waiters.add(c);
        creating.put(key, new Creation(handle, waiters));
        // The table counts as used before the snapshotter can put it in the publication (see PublicationSetup).
        useTables(handle, d);
        String h = handle;
        ProcessRef self = ctx.self();
        creations.execute(() -> create(d, h, self));
    }

    /** Storage episodes (disk full) become stack events: one log line each, and the health endpoint's state. */
    private StorageSpace.Listener storageListener() {
        return new StorageSpace.Listener() {
            @Override
            public void failing(String reason) {
                events.publish(new StackEvent.StorageFailing(reason));
            }

            @Override
            public void recovered() {
                events.publish(new StackEvent.StorageRecovered());
            }
        };
    }

    /** On a creation task: the shape's storage, then its processes; the result goes back to the cache. */
    private void create(ShapeDefinition d, String handle, ProcessRef cache) {
        ShapeStorage s = null;
        try {
            s = storage.create(handle, ShapeDefinitionCodec.encode(d));
            ShapeState state = new ShapeState(handle, d, s, LogOffset.LAST_BEFORE_REAL_OFFSETS,
                    ShapeState.Snapshot.PENDING);
            ProcessRef consumer = DynamicConsumerSupervisor.startShape(consumers, deps, state, Optional.empty(),
                    publications);
            cache.send(new Created(state, consumer));
        } catch (StorageFaultException e) {
            // Disk full: the storage named it once; each refused request is only a 503 with retry-after.
            cache.send(new CreationFailed(d.key(), handle,
                    new ShapesUnavailable("shape storage cannot take new shapes: " + e.getMessage(), e)));
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            if (s != null) {
                try {
                    storage.delete(handle);
                } catch (Exception ignored) {
                    // recovery deletes a shape whose snapshot never completed
                }
            }
            cache.send(new CreationFailed(d.key(), handle, e));
        }
    }

    private void created(ShapeState state, ProcessRef consumer) {
        Creation c = creating.remove(state.definitionKey());
        table.put(state);
        metrics.created();
        consumerOf.put(state.handle(), consumer);
        consumer.monitor(ctx.self()); // an already stopped consumer sends its Down at once
        evictor.shapeAdded();
        if (c != null) for (Call w : c.waiters()) w.reply(state);
    }

    private void creationFailed(DefinitionKey key, String handle, Exception e) {
        if (e instanceof ShapesUnavailable) {
            log.debug("[{}] shape request refused: {}", stackId, e.getMessage()); // the episode was logged once
        } else {
            log.warn("[{}] creating shape {} failed: {}", stackId, handle, e.toString());
        }
        Creation c = creating.remove(key);
        releaseTable(handle);
        if (c != null) for (Call w : c.waiters()) w.fail(e);
    }

    /** Starts a recovered shape's processes (new shapes start theirs on a creation task). */
    private void startProcesses(ShapeState state, Optional<SnapshotInfo> recovered) throws InterruptedException {
        useTables(state.handle(), state.definition());
        ProcessRef consumer;
        try {
            consumer = DynamicConsumerSupervisor.startShape(consumers, deps, state, recovered, publications);
        } catch (InterruptedException | RuntimeException e) {
            releaseTable(state.handle());
            throw e;
        }
        consumerOf.put(state.handle(), consumer);
        consumer.monitor(ctx.self());
    }

    /** The shape's table and its sub-selects' tables stay in the publication while it lives. */
    private void useTables(String handle, ShapeDefinition d) {
        List<Integer> oids = d.tables().stream().map(TableInfo::oid).toList();
        tableOfShape.put(handle, oids);
        for (int oid : oids) shapesPerTable.merge(oid, 1, Integer::sum);
    }

    /** The shape's processes are gone: when it was its table's last shape, the table may leave the publication. */
    private void releaseTable(String handle) {
        List<Integer> oids = tableOfShape.remove(handle);
        if (oids == null) return;
        boolean unused = false;
        for (int oid : oids) unused |= shapesPerTable.merge(oid, -1, (a, b) -> a + b == 0 ? null : a + b) == null;
        if (unused) publications.tableUnused();
    }

    /**
     * Evicts the shapes the evictor chose, unless one was used (or got a waiting reader) since it looked. Costs this
     * thread a table removal and a non-blocking send per shape; their storage goes once their processes stop.
     */
    private void evict(Map<String, Long> lastUsed) {
        int evicted = 0;
        for (Map.Entry<String, Long> e : lastUsed.entrySet()) {
            Optional<ShapeState> s = table.get(e.getKey());
            if (s.isEmpty() || s.get().hasEnded() || s.get().lastUsedNanos() != e.getValue()
                    || s.get().readersWaiting() > 0) {
                continue;
            }
            table.remove(e.getKey());
            Optional<ProcessRef> consumer = deps.registry().whereis(DynamicConsumerSupervisor.consumerName(e.getKey()));
            try {
                if (consumer.isEmpty() || !consumer.get().trySend(new Consumer.Remove("evicted"), Duration.ZERO)) {
                    consumer.ifPresent(ProcessRef::stop);
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            }
            evicted++;
        }
        if (evicted > 0) {
            log.info("[{}] evicted {} least recently used shapes (ELECTRIC_MAX_SHAPES={})", stackId, evicted,
                    config.maxShapes());
        }
    }

    /**
     * Asks the shape's consumer to end the shape. It is gone from the table at once (new requests get a new shape);
     * its readers answer 409 as soon as the consumer has marked it ended; the storage goes once its processes stop.
     */
    private boolean remove(String handle, String reason) throws InterruptedException {
        ShapeState state = table.remove(handle);
        if (state == null) return false;
        metrics.removed();
        log.info("[{}] shape {} removed: {}", stackId, handle, reason);
        Optional<ProcessRef> consumer = deps.registry().whereis(DynamicConsumerSupervisor.consumerName(handle));
        // A hibernated consumer is woken by the message. One whose mailbox stays full (a large transaction in
        // flight) is stopped instead: stopping it ends the shape just the same, from its own thread (or, if it
        // hibernated meanwhile, from this one, without waking it).
        if (consumer.isEmpty() || !consumer.get().trySend(new Consumer.Remove(reason), REMOVE_SEND_TIMEOUT)) {
            consumer.ifPresent(ProcessRef::stop);
        }
        return true;
    }

    /** The shape's consumer has exited (not merely hibernated): forget the shape and delete its data. */
    private void cleanUp(String handle) {
        ShapeState state = table.remove(handle);
        if (state != null) {
            // It ended by itself (truncate, schema change, failed snapshot), not through remove().
            String reason = state.endReason();
            metrics.removed();
            log.info("[{}] shape {} removed: {}", stackId, handle, reason != null ? reason : "its processes stopped");
        }
        // Off this thread: a wave of removals (an eviction) must not hold up the creations queued behind it.
        StackStorage s = storage;
        deleter.execute(() -> {
            try {
                s.delete(handle);
            } catch (Exception e) {
                log.warn("[{}] deleting the storage of shape {} failed: {}", stackId, handle, e.getMessage());
            }
        });
    }

    private void shutdown() {
        table.setAvailable(false);
        // Creations in flight finish first; the consumers they started stop with the DynamicConsumerSupervisor.
        if (creations != null) creations.close();
        for (Creation c : creating.values()) {
            for (Call w : c.waiters()) w.fail(new ShapesUnavailable("the shape cache is stopping", null));
        }
        if (evictor != null) evictor.close();
        if (publications != null) publications.close();
        for (ProcessRef consumer : List.copyOf(consumerOf.values())) consumer.stopUninterruptibly(Duration.ofSeconds(10));
        table.clear();
        if (deleter != null) deleter.close();
        if (storage != null) storage.close();
    }
}
