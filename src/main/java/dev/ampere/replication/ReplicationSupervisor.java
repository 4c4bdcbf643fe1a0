package dev.ampere.replication;

import dev.ampere.config.Config;
import dev.ampere.postgres.QueryPoolView;
import dev.ampere.postgres.ReplicationStart;
import dev.ampere.postgres.TableLookup;
import dev.ampere.process.ChildSpec;
import dev.ampere.process.RestartType;
import dev.ampere.process.Strategy;
import dev.ampere.process.Supervisor;
import dev.ampere.shapecache.ShapeCache;
import dev.ampere.shapecache.ShapeCacheMetrics;
import dev.ampere.shapes.ShapeMetrics;
import dev.ampere.shapecache.ShapeTable;
import dev.ampere.shapes.DynamicConsumerSupervisor;
import dev.ampere.shapes.ShapeFlusher;
import dev.ampere.shapes.VisibilityBarriers;
import dev.ampere.stack.Names;
import dev.ampere.stack.Stack;

import java.time.Duration;

/**
 * The one_for_all supervisor of everything that handles replicated changes: the DynamicConsumerSupervisor (one
 * Consumer per shape), the ShapeLogCollector, the ShapeCache and the ShapeFlusher (durability of every shape's
 * stored changes, in shared passes). They restart together because the collector's routing table and flush
 * tracking, the cache's shape registry and the flusher's pending hand-overs describe the same set of consumers. Added as a
 * temporary child of the ConnectionSupervisor by the ConnectionManager once the database side is up, with what the
 * manager learned while connecting ({@link ReplicationStart}).
 */
public final class ReplicationSupervisor {
    /** Its child id under the ConnectionSupervisor. */
    public static final String ID = "replication_supervisor";

    private ReplicationSupervisor() {}

    /** The stack-lifetime views this branch is built on, created once by the stack's builder. */
    public record Views(QueryPoolView pool, TableLookup tables, LastSeenLsn lastSeen, ShapeTable shapes,
                        Metrics metrics, VisibilityBarriers barriers) {
        public Views(QueryPoolView pool, TableLookup tables, LastSeenLsn lastSeen, ShapeTable shapes) {
            this(pool, tables, lastSeen, shapes, Metrics.NONE, new VisibilityBarriers(Duration.ZERO));
        }
    }

    /** What this branch's processes report to, each its own small recorder. */
    public record Metrics(ReplicationMetrics collector, ShapeCacheMetrics cache, ShapeMetrics shapes) {
        public static final Metrics NONE = new Metrics(ReplicationMetrics.NONE, ShapeCacheMetrics.NONE, ShapeMetrics.NONE);
    }

    public static ChildSpec spec(Stack stack, Views views, ReplicationStart start) {
        Config config = stack.config();
        DynamicConsumerSupervisor.Deps deps = new DynamicConsumerSupervisor.Deps(stack.registry(),
                ShapeLogCollector.feed(stack.registry(), Names.SHAPE_LOG_COLLECTOR, Names.SHAPE_FLUSHER), views.pool(),
                config.publicationName(), config.shapeHibernateAfter(), views.metrics().shapes());
        ChildSpec consumers = DynamicConsumerSupervisor.spec(Names.DYNAMIC_CONSUMER_SUPERVISOR, deps);
        ChildSpec collector = ChildSpec.of("shape_log_collector",
                        () -> new ShapeLogCollector(views.tables(), views.lastSeen(), views.metrics().collector(),
                                views.barriers()))
                .registeredAs(stack.registry(), Names.SHAPE_LOG_COLLECTOR);
        ChildSpec cache = ChildSpec.of("shape_cache", () -> new ShapeCache(stack.events(), config, views.shapes(), start,
                        deps, Names.DYNAMIC_CONSUMER_SUPERVISOR, views.metrics().cache()))
                .withShutdownTimeout(Duration.ofMinutes(2))
                .registeredAs(stack.registry(), Names.SHAPE_CACHE);
        ChildSpec flusher = ChildSpec.of("shape_flusher", () -> new ShapeFlusher(
                        ShapeLogCollector.reports(stack.registry(), Names.SHAPE_LOG_COLLECTOR), views.metrics().shapes()))
                .registeredAs(stack.registry(), Names.SHAPE_FLUSHER);
        return Supervisor.builder(ID)
                .strategy(Strategy.ONE_FOR_ALL)
                .child(consumers)
                .child(collector)
                .child(cache)
                .child(flusher)
                .asChild()
                .withRestart(RestartType.TEMPORARY)
                .registeredAs(stack.registry(), Names.REPLICATION_SUPERVISOR);
    }
}
