package dev.ampere;

import dev.ampere.config.Config;
import dev.ampere.http.HttpServer;
import dev.ampere.http.StatusSources;
import dev.ampere.metrics.MetricsServer;
import dev.ampere.metrics.StackMetrics;
import dev.ampere.postgres.SlotLag;
import dev.ampere.postgres.QueryPoolSlot;
import dev.ampere.postgres.QueryPoolView;
import dev.ampere.postgres.TableCache;
import dev.ampere.postgres.TableLookup;
import dev.ampere.process.ExitReason;
import dev.ampere.process.ProcessRef;
import dev.ampere.process.Processes;
import dev.ampere.replication.LastSeenLsn;
import dev.ampere.shapes.VisibilityBarriers;
import dev.ampere.replication.ReplicationSupervisor;
import dev.ampere.replication.WalStreamer;
import dev.ampere.shapecache.ShapeDirectory;
import dev.ampere.shapecache.ShapeTable;
import dev.ampere.stack.Names;
import dev.ampere.stack.Stack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * One running Ampere: a stack (its supervision tree) and the HTTP server in front of it. {@link Main} runs one
 * per JVM; tests start several against the same database.
 *
 * <p>This is where the stack's shared views are made, once, and handed out: each has one owner inside the tree
 * (the query pool slot the ConnectionManager, the table cache the Inspector, the shape table the ShapeCache, the
 * last seen LSN the ShapeLogCollector), and the HTTP server receives only their read-only sides.
 *
 * <p>Threading: start and close from one thread.
 */
public final class Ampere implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Ampere.class);
    /** The longest a subset reply waits for the stream to bring what its snapshot saw (VisibilityBarriers). */
    private static final Duration SUBSET_BARRIER_TIMEOUT = Duration.ofSeconds(5);

    private final Stack stack;
    private final ProcessRef root;
    private final HttpServer http;
    private final QueryPoolView pool;
    private final TableLookup tables;
    private final ShapeDirectory shapes;
    private final StackMetrics metrics;
    private final MetricsServer metricsServer;
    private final RecentProblems problems;

    private Ampere(Stack stack, ProcessRef root, HttpServer http, QueryPoolView pool, TableLookup tables,
                   ShapeDirectory shapes, StackMetrics metrics, MetricsServer metricsServer, RecentProblems problems) {
        this.problems = problems;
        this.metrics = metrics;
        this.metricsServer = metricsServer;
        this.stack = stack;
        this.root = root;
        this.http = http;
        this.pool = pool;
        this.tables = tables;
        this.shapes = shapes;
    }

    /** Starts a stack that streams changes into its shapes, and its HTTP server. */
    public static Ampere start(Config config) {
        LogBridge.install();
        Stack stack = new Stack(config);
        QueryPoolSlot pool = new QueryPoolSlot(config.dbPoolSize());
        TableCache tableCache = new TableCache();
        TableLookup tables = new TableLookup(tableCache, stack.registry(), Names.INSPECTOR);
        LastSeenLsn lastSeen = new LastSeenLsn();
        ShapeTable shapeTable = new ShapeTable();
        ShapeDirectory shapes = new ShapeDirectory(shapeTable, stack.registry(), Names.SHAPE_CACHE);
        SlotLag slot = new SlotLag(pool, config.slotName());
        RecentProblems problems = RecentProblems.attach();
        StackMetrics metrics = new StackMetrics(shapes, slot,
                config.storageDir().resolve("shapes").resolve(stack.id()));
        VisibilityBarriers barriers = new VisibilityBarriers(SUBSET_BARRIER_TIMEOUT);
        ReplicationSupervisor.Views views = new ReplicationSupervisor.Views(pool, tables, lastSeen, shapeTable,
                new ReplicationSupervisor.Metrics(metrics.collector(), metrics.cache(), metrics.shapes()), barriers);
        ProcessRef root = Processes.spawn("stack:" + stack.id(),
                StackSupervisor.build(stack, new WalStreamer(stack, tables), tableCache, pool, views));
        root.onExit(reason -> {
            if (reason instanceof ExitReason.Crash(Throwable t)) log.error("the stack stopped: {}", t.getMessage());
        });
        HttpServer http = HttpServer.start(config, stack.events(), shapes, tables, lastSeen, pool,
                new HttpServer.Operations(metrics.http(), new StatusSources(slot, metrics::lastReplicationLagMillis,
                        problems::newestFirst)), barriers);
        MetricsServer metricsServer = config.prometheusPort()
                .map(port -> MetricsServer.start(metrics, port, config.listenOnIpv6()))
                .orElse(null);
        return new Ampere(stack, root, http, pool, tables, shapes, metrics, metricsServer, problems);
    }

    public Stack stack() {
        return stack;
    }

    public ProcessRef root() {
        return root;
    }

    /** The query pool, while the stack has one open. */
    public QueryPoolView queryPool() {
        return pool;
    }

    public TableLookup tables() {
        return tables;
    }

    public ShapeDirectory shapes() {
        return shapes;
    }

    public int httpPort() {
        return http.port();
    }

    /** The stack's metrics recorders and registry (served at /metrics when a Prometheus port is configured). */
    public StackMetrics metrics() {
        return metrics;
    }

    /** The port /metrics is served on, when {@code ELECTRIC_PROMETHEUS_PORT} is set. */
    public java.util.OptionalInt metricsPort() {
        return metricsServer == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(metricsServer.port());
    }

    @Override
    public void close() {
        if (metricsServer != null) metricsServer.close();
        http.close();
        try {
            root.stop(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        metrics.close();
        problems.detach();
    }
}
