package dev.ampere.shapes;

import dev.ampere.postgres.QueryPoolView;
import dev.ampere.process.AutoShutdown;
import dev.ampere.process.ChildSpec;
import dev.ampere.process.Mailbox;
import dev.ampere.process.ProcessRegistry;
import dev.ampere.process.RestartType;
import dev.ampere.process.Supervisor;
import dev.ampere.shapecache.storage.SnapshotInfo;

import java.util.List;
import java.util.Optional;

/**
 * One shape's processes (docs/protocol.md §3.1): its Consumer (significant: when it ends, the shape ends) and, for
 * a new shape, its Snapshotter. Consumers are never restarted: a shape that fails is removed and recreated on
 * demand. Storage is not a process here: Chronicle's appender and readers are thread-safe objects owned by the
 * consumer.
 */
public final class ConsumerSupervisor {
    /** Bound of a consumer's mailbox, in messages (mostly transaction fragments of up to 500 changes). */
    static final int CONSUMER_MAILBOX = 64;

    private ConsumerSupervisor() {}

    /** The registered name of a shape's consumer. */
    public static Object consumerName(String handle) {
        return List.of("consumer", handle);
    }

    /** The child id of a shape's supervisor under the DynamicConsumerSupervisor. */
    public static String id(String handle) {
        return "shape:" + handle;
    }

    /** What every shape's processes are given by the DynamicConsumerSupervisor's owner. */
    public record Deps(ProcessRegistry registry, ChangeFeed feed, QueryPoolView pool, String publication,
                       ShapeMetrics metrics) {}

    public static ChildSpec spec(Deps deps, ShapeState state, Optional<SnapshotInfo> recovered) {
        String handle = state.handle();
        ChildSpec consumer = ChildSpec.of("consumer", () -> new Consumer(state, recovered, deps.feed(), deps.metrics()))
                .withRestart(RestartType.TEMPORARY)
                .asSignificant()
                .withMailbox(() -> Mailbox.bounded(CONSUMER_MAILBOX))
                .registeredAs(deps.registry(), consumerName(handle));
        Supervisor.Builder b = Supervisor.builder(id(handle))
                .autoShutdown(AutoShutdown.ANY_SIGNIFICANT)
                .child(consumer);
        if (recovered.isEmpty()) {
            b.child(ChildSpec.of("snapshotter", () -> new Snapshotter(state,
                            deps.registry().whereis(consumerName(handle)).orElseThrow(), deps.pool(), deps.publication(), deps.metrics()))
                    .withRestart(RestartType.TEMPORARY));
        }
        return b.asChild().withRestart(RestartType.TEMPORARY);
    }
}
