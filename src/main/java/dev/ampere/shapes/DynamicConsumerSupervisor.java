package dev.ampere.shapes;

import dev.ampere.postgres.QueryPoolView;
import dev.ampere.process.ChildSpec;
import dev.ampere.process.Mailbox;
import dev.ampere.process.ProcessRef;
import dev.ampere.process.ProcessRegistry;
import dev.ampere.process.RestartType;
import dev.ampere.process.Supervisor;
import dev.ampere.shapecache.storage.SnapshotInfo;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The one_for_one supervisor of every shape's {@link Consumer}, children added and removed at run time by the
 * ShapeCache (Electric's DynamicConsumerSupervisor).
 *
 * <p>Place in the tree: the first child of the ReplicationSupervisor. It owns nothing but its children, one per
 * shape (docs/protocol.md §3.1): the consumer, temporary (a shape that fails is removed and recreated on demand,
 * never restarted), with a bounded mailbox; a new shape's Snapshotter is an owned process of its consumer. There is
 * no supervisor per shape: a supervisor cannot hibernate, and an idle shape should hold no thread. This supervisor
 * forks every run of every consumer, the first one and each one after a hibernation, so no shape's thread runs
 * outside its scope. Storage is not a process: Chronicle's appender and readers are objects owned by the consumer.
 *
 * <p>Threading: a {@link Supervisor}; the static helpers are calls to it.
 */
public final class DynamicConsumerSupervisor {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** Bound of a consumer's mailbox, in messages (mostly transaction fragments of up to 500 changes). */
    static final int CONSUMER_MAILBOX = 64;

    private DynamicConsumerSupervisor() {}

    /**
     * What every shape's processes are given by the DynamicConsumerSupervisor's owner.
     *
     * @param hibernateAfter how long an idle consumer keeps its thread ({@code ELECTRIC_SHAPE_HIBERNATE_AFTER})
     * @param metrics        what the shapes' consumers and snapshotters report to
     */
    public record Deps(ProcessRegistry registry, ChangeFeed feed, QueryPoolView pool, String publication,
                       Duration hibernateAfter, ShapeMetrics metrics) {}

    /** The registered name of a shape's consumer. */
    public record ConsumerName(String handle) {}

    /** The registered name of a shape's consumer. */
    public static Object consumerName(String handle) {
        return new ConsumerName(handle);
    }

    /**
     * The shape a consumer process was started for, from its registered name, or null for any other process. Its
     * monitors use it to map a {@code Down} to the shape without a reverse map per shape; the process may be an
     * earlier incarnation, so they check it is still the one they know for that shape.
     */
    public static String handleOf(ProcessRef process) {
        return process.registeredName() instanceof ConsumerName(String handle) ? handle : null;
    }

    /**
     * The child id of a shape's consumer under the DynamicConsumerSupervisor: its handle (the supervisor holds only
     * consumers, and the handle is already kept by the shape, so the id costs nothing per shape).
     */
    public static String id(String handle) {
        return handle;
    }

    public static ChildSpec spec(Object registeredName, Deps deps) {
        return Supervisor.dynamic("dynamic_consumer_supervisor")
                .intensity(1_000, Duration.ofSeconds(5))
                .asChild()
                .registeredAs(deps.registry(), registeredName);
    }

    /**
     * A shape's consumer as a child: temporary, with its bounded mailbox and its registered name.
     *
     * @param publications the ShapeCache's publication editor, which a new shape's Snapshotter uses
     */
    static ChildSpec consumerSpec(Deps deps, ShapeState state, Optional<SnapshotInfo> recovered,
                                  PublicationSetup publications) {
        return ChildSpec.of(id(state.handle()), () -> new Consumer(state, recovered, deps.feed(),
                        recovered.isPresent() ? null
                                : consumer -> new Snapshotter(state, consumer, deps.pool(), publications,
                                        deps.metrics(), deps.feed()),
                        deps.hibernateAfter()))
                .withRestart(RestartType.TEMPORARY)
                .withMailbox(() -> Mailbox.bounded(CONSUMER_MAILBOX))
                .registeredAs(deps.registry(), consumerName(state.handle()));
    }

    /** Starts a shape's consumer; returns it once it has subscribed to the collector (and started its snapshot). */
    public static ProcessRef startShape(ProcessRef supervisor, Deps deps, ShapeState state,
                                        Optional<SnapshotInfo> recovered, PublicationSetup publications)
            throws InterruptedException {
        return Supervisor.startChild(supervisor, consumerSpec(deps, state, recovered, publications), CALL_TIMEOUT);
    }

    /** Stops a shape's consumer, if it still runs (a hibernated one without a thread). */
    public static void stopShape(ProcessRef supervisor, String handle) throws InterruptedException {
        Supervisor.terminateChild(supervisor, id(handle), CALL_TIMEOUT);
    }
}
