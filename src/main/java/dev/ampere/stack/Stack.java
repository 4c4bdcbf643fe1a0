package dev.ampere.stack;

import com.zaxxer.hikari.HikariDataSource;
import dev.ampere.config.Config;
import dev.ampere.process.DuplicateRegistry;
import dev.ampere.postgres.Inspector;
import dev.ampere.postgres.RelationName;
import dev.ampere.postgres.TableInfo;
import dev.ampere.process.ProcessRegistry;
import dev.ampere.shapecache.ShapeTable;

import java.util.Optional;
import java.util.concurrent.ConcurrentMap;

/**
 * The shared services of one stack: its configuration, event bus, process registry, the registry of HTTP requests
 * waiting on shape handles, and the query pool once the connection manager has opened it. The registries are
 * concurrent maps rather than processes (Electric runs them as Registry processes): a lock-free map needs no owner
 * thread, and readers on HTTP threads must never wait on a mailbox.
 *
 * <p>Thread-safe. The pool reference is written only by the ConnectionManager and read by anyone.
 */
public final class Stack {
    private final Config config;
    private final StackEvents events;
    private final ProcessRegistry registry = new ProcessRegistry();
    private final DuplicateRegistry<String, Object> shapeSubscriptions = new DuplicateRegistry<>();
    private final ConcurrentMap<RelationName, TableInfo> tableCache = Inspector.newCache();
    private volatile HikariDataSource pool;
    private volatile ShapeTable shapes;
    private volatile boolean purgeStoredShapes;
    private volatile long lastSeenLsn;
    private volatile long resumeLsn;

    public Stack(Config config) {
        this.config = config;
        this.events = new StackEvents(config.stackId());
    }

    public String id() {
        return config.stackId();
    }

    public Config config() {
        return config;
    }

    public StackEvents events() {
        return events;
    }

    public ProcessRegistry registry() {
        return registry;
    }

    /** Shape handle to the requests waiting for its next change (Electric's ShapeChanges registry). */
    public DuplicateRegistry<String, Object> shapeSubscriptions() {
        return shapeSubscriptions;
    }

    /** Table metadata cached by the Inspector; readable from any thread, written only by the Inspector. */
    public ConcurrentMap<RelationName, TableInfo> tableCache() {
        return tableCache;
    }

    /** The query pool, while the connection manager has one open. */
    public Optional<HikariDataSource> pool() {
        return Optional.ofNullable(pool);
    }

    /** The live shapes, while the ShapeCache runs. */
    public Optional<ShapeTable> shapes() {
        return Optional.ofNullable(shapes);
    }

    /** Called by the ShapeCache only. */
    public void publishShapes(ShapeTable table) {
        this.shapes = table;
    }

    /** Whether stored shapes are stale (new slot, or another database timeline) and must be purged, not recovered. */
    public boolean purgeStoredShapes() {
        return purgeStoredShapes;
    }

    /**
     * The slot's confirmed position when replication (re)started: every stored transaction with a commit LSN at or
     * below it is complete, anything above may be a partial write from before a crash, which replication will resend.
     */
    public long resumeLsn() {
        return resumeLsn;
    }

    /** Called by the ConnectionManager before it starts the replication supervisor. */
    public void recordResumeLsn(long lsn) {
        this.resumeLsn = lsn;
    }

    /** Called by the ConnectionManager before it starts the replication supervisor. */
    public void requestPurge(boolean purge) {
        this.purgeStoredShapes = purge;
    }

    /** The commit LSN of the last transaction the stack processed (unsigned); {@code global_last_seen_lsn}. */
    public long lastSeenLsn() {
        return lastSeenLsn;
    }

    /** Called by the ShapeLogCollector only. */
    public void recordSeenLsn(long lsn) {
        lastSeenLsn = lsn;
    }

    /** Called by the ConnectionManager only. */
    public void publishPool(HikariDataSource newPool) {
        this.pool = newPool;
    }
}
