package dev.ampere.shapecache;

import dev.ampere.config.Config;
import dev.ampere.process.Call;
import dev.ampere.process.Down;
import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessContext;
import dev.ampere.process.ProcessRef;
import dev.ampere.process.Supervisor;
import dev.ampere.changes.LogOffset;
import dev.ampere.shapecache.storage.ChronicleStackStorage;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.StackStorage;
import dev.ampere.shapes.ConsumerSupervisor;
import dev.ampere.shapes.ShapeDefinition;
import dev.ampere.shapes.ShapeDefinitionCodec;
import dev.ampere.stack.Names;
import dev.ampere.stack.Stack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Creates, finds and removes shapes (PROTOCOL.md §3.9). Creation is serialised here, so concurrent identical
 * requests share one handle; reads never come here: HTTP threads use the {@link ShapeTable} this process publishes
 * on the stack. At start it recovers the shapes stored by the previous run (each gets a consumer, no new snapshot),
 * or purges them all when the slot had to be created or the database timeline changed.
 *
 * <p>Threading: a process. It owns the stack's shape storage and the table's writes; on exit it stops every
 * shape's processes before closing the storage.
 */
public final class ShapeCache implements ProcessBody {
    private static final Logger log = LoggerFactory.getLogger(ShapeCache.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private record GetOrCreate(ShapeDefinition definition) {}

    private record Delete(String handle) {}

    private record Invalidate(String handle, String reason) {}

    private record PurgeAll(String reason) {}

    private final Stack stack;
    private final ShapeTable table = new ShapeTable();
    private final Map<ProcessRef, String> supervisors = new HashMap<>();
    private StackStorage storage;
    private ProcessRef consumers;
    private ProcessContext ctx;

    public ShapeCache(Stack stack) {
        this.stack = stack;
    }

    /** The shape for a definition: the existing one, or a new one whose snapshot is starting. */
    public static ShapeStatus getOrCreate(Stack stack, ShapeDefinition definition) throws InterruptedException {
        ShapeTable t = stack.shapes().orElseThrow(() -> new IllegalStateException("shapes are not available yet"));
        Optional<ShapeStatus> existing = t.byDefinition(definition.canonical());
        if (existing.isPresent() && !existing.get().isRemoved()) return existing.get();
        return process(stack).call(new GetOrCreate(definition), CALL_TIMEOUT);
    }

    /** Removes a shape and its data; false when no such shape exists. */
    public static boolean delete(Stack stack, String handle) throws InterruptedException {
        return process(stack).call(new Delete(handle), CALL_TIMEOUT);
    }

    /** Asks for a shape to be removed (truncate, schema change, failure); returns at once. */
    public static void invalidate(Stack stack, String handle, String reason) {
        stack.registry().whereis(Names.SHAPE_CACHE).ifPresent(p -> p.send(new Invalidate(handle, reason)));
    }

    /** Removes every shape (their history can no longer be trusted); returns once they are gone. */
    public static void purgeAll(Stack stack, String reason) throws InterruptedException {
        var cache = stack.registry().whereis(Names.SHAPE_CACHE);
        if (cache.isPresent()) cache.get().call(new PurgeAll(reason), Duration.ofMinutes(5));
    }

    private static ProcessRef process(Stack stack) {
        return stack.registry().whereis(Names.SHAPE_CACHE)
                .orElseThrow(() -> new IllegalStateException("the shape cache is not running"));
    }

    @Override
    public void run(ProcessContext ctx) throws Exception {
        this.ctx = ctx;
        Config config = stack.config();
        consumers = stack.registry().whereis(Names.DYNAMIC_CONSUMER_SUPERVISOR).orElseThrow();
        storage = new ChronicleStackStorage(config.storageDir(), stack.id(), config.chunkBytesThreshold(),
                ChronicleStackStorage.DEFAULT_MAX_OPEN_QUEUES);
        try {
            recover();
            stack.publishShapes(table);
            ctx.started();
            while (true) {
                switch (ctx.receive()) {
                    case Call c -> handleCall(c);
                    case Invalidate(String handle, String reason) -> {
                        try {
                            remove(handle, reason);
                        } catch (Exception e) {
                            log.warn("[{}] removing shape {} failed: {}", stack.id(), handle, e.getMessage());
                        }
                    }
                    case Down d -> {
                        String handle = supervisors.remove(d.process());
                        if (handle != null) remove(handle, "its processes stopped (" + d.reason() + ")");
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
                case PurgeAll(String reason) -> {
                    for (ShapeStatus s : java.util.List.copyOf(table.all())) remove(s.handle(), reason);
                    c.reply(true);
                }
                default -> c.fail(new IllegalArgumentException("unknown request " + c.request()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            c.fail(e);
        } catch (Exception e) {
            log.warn("[{}] shape request failed: {}", stack.id(), e.toString());
            c.fail(e);
        }
    }

    private void recover() throws Exception {
        if (stack.purgeStoredShapes()) {
            storage.deleteAll();
            log.info("[{}] purged stored shapes: the replication slot or the database timeline is new", stack.id());
            return;
        }
        StackStorage.Recovery recovery = storage.recover();
        int recovered = 0;
        for (StackStorage.StoredShape stored : recovery.shapes()) {
            try {
                ShapeDefinition d = ShapeDefinitionCodec.decode(stored.definition());
                ShapeStorage s = storage.get(stored.handle()).orElseThrow();
                ShapeStatus status = new ShapeStatus(stored.handle(), d, s, visibleAfterRestart(s.latestOffset()));
                table.put(status);
                startProcesses(status, Optional.of(stored.snapshot()));
                recovered++;
            } catch (RuntimeException e) {
                log.warn("[{}] dropping stored shape {}: {}", stack.id(), stored.handle(), e.getMessage());
                table.remove(stored.handle());
                storage.delete(stored.handle());
            }
        }
        log.info("[{}] {} shapes recovered{}", stack.id(), recovered,
                recovery.deletedHandles().isEmpty() ? "" : ", " + recovery.deletedHandles().size() + " incomplete ones deleted");
    }

    /**
     * What readers may see of a recovered log: only transactions the slot had confirmed, which were complete. A
     * transaction written in part before a crash stays hidden until replication resends it and the consumer
     * completes it.
     */
    private LogOffset visibleAfterRestart(LogOffset stored) {
        if (!stored.isAfter(LogOffset.LAST_BEFORE_REAL_OFFSETS) || stack.resumeLsn() == 0) return stored;
        LogOffset horizon = LogOffset.of(stack.resumeLsn(), LogOffset.INF);
        return stored.compareTo(horizon) <= 0 ? stored : horizon;
    }

    private ShapeStatus getOrCreate(ShapeDefinition d) throws Exception {
        Optional<ShapeStatus> existing = table.byDefinition(d.canonical());
        if (existing.isPresent()) return existing.get();
        Instant now = Instant.now();
        String handle = d.newHandle(ChronoUnit.MICROS.between(Instant.EPOCH, now));
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, now);
        while (table.get(handle).isPresent()) handle = d.newHandle(++micros);
        ShapeStorage s = storage.create(handle, ShapeDefinitionCodec.encode(d));
        ShapeStatus status = new ShapeStatus(handle, d, s, LogOffset.LAST_BEFORE_REAL_OFFSETS);
        table.put(status);
        try {
            startProcesses(status, Optional.empty());
        } catch (Exception e) {
            table.remove(handle);
            status.markRemoved();
            storage.delete(handle);
            throw e;
        }
        return status;
    }

    private void startProcesses(ShapeStatus status, Optional<dev.ampere.shapecache.storage.SnapshotInfo> recovered)
            throws InterruptedException {
        ProcessRef sup = Supervisor.startChild(consumers, ConsumerSupervisor.spec(stack, status, recovered), CALL_TIMEOUT);
        supervisors.put(sup, status.handle());
        sup.monitor(ctx.self());
    }

    private boolean remove(String handle, String reason) throws Exception {
        ShapeStatus status = table.remove(handle);
        if (status == null) return false;
        status.markRemoved();
        status.snapshotFailed(new IllegalStateException("the shape was removed: " + reason));
        log.info("[{}] shape {} removed: {}", stack.id(), handle, reason);
        supervisors.values().remove(handle);
        Supervisor.terminateChild(consumers, "shape:" + handle, CALL_TIMEOUT);
        storage.delete(handle);
        stack.shapeSubscriptions().dispatch(handle, new ShapeEvent.Rotated());
        return true;
    }

    private void shutdown() {
        stack.publishShapes(null);
        for (ShapeStatus s : table.all()) {
            s.markRemoved();
            stack.shapeSubscriptions().dispatch(s.handle(), new ShapeEvent.Rotated());
        }
        for (ProcessRef sup : supervisors.keySet()) sup.stopUninterruptibly(Duration.ofSeconds(10));
        if (storage != null) storage.close();
    }
}
