package dev.ampere.shapecache;

import dev.ampere.changes.LogOffset;
import dev.ampere.config.Config;
import dev.ampere.process.Call;
import dev.ampere.process.Down;
import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessContext;
import dev.ampere.process.ProcessRef;
import dev.ampere.postgres.ReplicationStart;
import dev.ampere.shapecache.storage.ChronicleStackStorage;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.SnapshotInfo;
import dev.ampere.shapecache.storage.StackStorage;
import dev.ampere.shapecache.storage.StorageFaultException;
import dev.ampere.shapecache.storage.StorageSpace;
import dev.ampere.shapes.Consumer;
import dev.ampere.shapes.DynamicConsumerSupervisor;
import dev.ampere.shapes.ShapeDefinition;
import dev.ampere.shapes.ShapeDefinitionCodec;
import dev.ampere.shapes.ShapeState;
import dev.ampere.stack.StackEvent;
import dev.ampere.stack.StackEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Creates, finds and removes shapes (docs/protocol.md §3.9).
 *
 * <p>Place in the tree: the last child of the ReplicationSupervisor (one_for_all), after the
 * DynamicConsumerSupervisor and the log collector. It owns the stack's shape storage and is the only writer of
 * the {@link ShapeTable}, which HTTP reads through a {@link ShapeDirectory}. Creation is serialised here, so
 * concurrent identical requests share one handle. At start it recovers the shapes stored by the previous run (each
 * gets a consumer, no new snapshot), or purges them all when the slot had to be created or the database timeline
 * changed.
 *
 * <p>A shape's state belongs to its consumer: removal is a {@link Consumer.Remove} message to it, never a write
 * from here. The consumer marks the shape ended (its readers answer 409) and exits (stopping its snapshotter, if
 * any); this process hears it through its monitor on the consumer and deletes the shape's storage. A shape that
 * ends by itself (truncate, schema change, failed snapshot) takes the same path. A hibernated consumer is alive:
 * its monitor does not fire, and its shape stays.
 *
 * <p>While shape storage cannot take writes (disk full), creation answers {@link ShapesUnavailable} (503 with
 * retry-after); existing shapes keep their consumers, which hold their changes until the space returns
 * (see {@link Consumer}), so nothing is removed or recreated for it.
 *
 * <p>Threading: a process; all fields are confined to its thread.
 */
public final class ShapeCache implements ProcessBody {
    private static final Logger log = LoggerFactory.getLogger(ShapeCache.class);
    private static final Duration REMOVE_SEND_TIMEOUT = Duration.ofSeconds(1);

    record GetOrCreate(ShapeDefinition definition) {}

    record Delete(String handle) {}

    private final String stackId;
    private final StackEvents events;
    private final Config config;
    private final ShapeTable table;
    private final ReplicationStart start;
    private final DynamicConsumerSupervisor.Deps deps;
    private final Object consumersName;
    /** Every shape's consumer, which this process monitors; hibernated ones included (hibernating is not exiting). */
    private final Map<ProcessRef, String> consumerShapes = new HashMap<>();
    private final Map<String, ProcessRef> consumerOf = new HashMap<>();
    private StackStorage storage;
    private ProcessRef consumers;
    private ProcessContext ctx;

    public ShapeCache(StackEvents events, Config config, ShapeTable table, ReplicationStart start,
                      DynamicConsumerSupervisor.Deps deps, Object consumersName) {
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
        try {
            table.clear();
            recover();
            table.setAvailable(true);
            ctx.started();
            while (true) {
                switch (ctx.receive()) {
                    case Call c -> handleCall(c);
                    case Down d -> {
                        String handle = consumerShapes.remove(d.process());
                        if (handle != null) {
                            consumerOf.remove(handle);
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
                case GetOrCreate(ShapeDefinition d) -> c.reply(getOrCreate(d));
                case Delete(String handle) -> c.reply(remove(handle, "deleted"));
                default -> c.fail(new IllegalArgumentException("unknown request " + c.request()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            c.fail(e);
        } catch (ShapesUnavailable e) {
            log.debug("[{}] shape request refused: {}", stackId, e.getMessage()); // the episode was logged once
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
        long lastReport = System.nanoTime();
        for (StackStorage.StoredShape stored : recovery.shapes()) {
            try {
                ShapeDefinition d = ShapeDefinitionCodec.decode(stored.definition());
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

    private ShapeState getOrCreate(ShapeDefinition d) throws Exception {
        Optional<ShapeState> existing = table.byDefinition(d.canonical());
        if (existing.isPresent() && !existing.get().hasEnded()) return existing.get();
        // An ended shape whose processes have not yet stopped: its successor must not wait for that.
        existing.ifPresent(s -> table.remove(s.handle()));
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        String handle = d.newHandle(micros);
        while (table.get(handle).isPresent() || consumerOf.containsKey(handle)) handle = d.newHandle(++micros);
        ShapeStorage s;
        try {
            s = storage.create(handle, ShapeDefinitionCodec.encode(d));
        } catch (StorageFaultException e) {
            // Disk full: the storage named it once; each refused request is only a 503 with retry-after.
            throw new ShapesUnavailable("shape storage cannot take new shapes: " + e.getMessage(), e);
        }
        ShapeState state = new ShapeState(handle, d, s, LogOffset.LAST_BEFORE_REAL_OFFSETS, ShapeState.Snapshot.PENDING);
        table.put(state);
        try {
            startProcesses(state, Optional.empty());
        } catch (Exception e) {
            table.remove(handle);
            storage.delete(handle);
            throw e;
        }
        return state;
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

    private void startProcesses(ShapeState state, Optional<SnapshotInfo> recovered) throws InterruptedException {
        ProcessRef consumer = DynamicConsumerSupervisor.startShape(consumers, deps, state, recovered);
        consumerShapes.put(consumer, state.handle());
        consumerOf.put(state.handle(), consumer);
        consumer.monitor(ctx.self());
    }

    /**
     * Asks the shape's consumer to end the shape. It is gone from the table at once (new requests get a new shape);
     * its readers answer 409 as soon as the consumer has marked it ended; the storage goes once its processes stop.
     */
    private boolean remove(String handle, String reason) throws InterruptedException {
        ShapeState state = table.remove(handle);
        if (state == null) return false;
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
            log.info("[{}] shape {} removed: {}", stackId, handle, reason != null ? reason : "its processes stopped");
        }
        try {
            storage.delete(handle);
        } catch (Exception e) {
            log.warn("[{}] deleting the storage of shape {} failed: {}", stackId, handle, e.getMessage());
        }
    }

    private void shutdown() {
        table.setAvailable(false);
        for (ProcessRef consumer : List.copyOf(consumerShapes.keySet())) consumer.stopUninterruptibly(Duration.ofSeconds(10));
        table.clear();
        if (storage != null) storage.close();
    }
}
