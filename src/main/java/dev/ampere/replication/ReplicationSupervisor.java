package dev.ampere.replication;

import dev.ampere.process.ChildSpec;
import dev.ampere.process.RestartType;
import dev.ampere.process.Strategy;
import dev.ampere.process.Supervisor;
import dev.ampere.shapecache.ShapeCache;
import dev.ampere.stack.Names;
import dev.ampere.stack.Stack;

import java.time.Duration;

/**
 * The one_for_all supervisor of everything that handles replicated changes: the DynamicConsumerSupervisor (one
 * ConsumerSupervisor per shape), the ShapeLogCollector and the ShapeCache. They restart together because the
 * collector's routing table and the cache's shape registry describe the same set of consumers. Added as a
 * temporary child of the ConnectionSupervisor by the ConnectionManager once the database side is up.
 */
public final class ReplicationSupervisor {
    private ReplicationSupervisor() {}

    public static ChildSpec spec(Stack stack) {
        ChildSpec consumers = Supervisor.dynamic("dynamic_consumer_supervisor")
                .intensity(1_000, Duration.ofSeconds(5))
                .asChild()
                .registeredAs(stack.registry(), Names.DYNAMIC_CONSUMER_SUPERVISOR);
        ChildSpec collector = ChildSpec.of("shape_log_collector", () -> new ShapeLogCollector(stack))
                .registeredAs(stack.registry(), Names.SHAPE_LOG_COLLECTOR);
        return Supervisor.builder("replication_supervisor")
                .strategy(Strategy.ONE_FOR_ALL)
                .child(consumers)
                .child(collector)
                .child(ChildSpec.of("shape_cache", () -> new ShapeCache(stack))
                        .withShutdownTimeout(Duration.ofMinutes(2))
                        .registeredAs(stack.registry(), Names.SHAPE_CACHE))
                .asChild()
                .withRestart(RestartType.TEMPORARY)
                .registeredAs(stack.registry(), Names.REPLICATION_SUPERVISOR);
    }
}
