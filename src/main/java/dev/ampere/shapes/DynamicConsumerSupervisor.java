package dev.ampere.shapes;

import dev.ampere.process.ChildSpec;
import dev.ampere.process.ProcessRef;
import dev.ampere.process.Supervisor;
import dev.ampere.shapecache.storage.SnapshotInfo;

import java.time.Duration;
import java.util.Optional;

/**
 * The one_for_one supervisor of every shape's {@link ConsumerSupervisor}, children added and removed at run time
 * by the ShapeCache (Electric's DynamicConsumerSupervisor).
 *
 * <p>Place in the tree: the first child of the ReplicationSupervisor. It owns nothing but its children; a shape's
 * processes are temporary, so a crash removes that shape alone.
 */
public final class DynamicConsumerSupervisor {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private DynamicConsumerSupervisor() {}

    public static ChildSpec spec(Object registeredName, ConsumerSupervisor.Deps deps) {
        return Supervisor.dynamic("dynamic_consumer_supervisor")
                .intensity(1_000, Duration.ofSeconds(5))
                .asChild()
                .registeredAs(deps.registry(), registeredName);
    }

    /** Starts a shape's processes; returns its ConsumerSupervisor once the consumer has subscribed. */
    public static ProcessRef startShape(ProcessRef supervisor, ConsumerSupervisor.Deps deps, ShapeState state,
                                        Optional<SnapshotInfo> recovered, PublicationSetup publications)
            throws InterruptedException {
        return Supervisor.startChild(supervisor, ConsumerSupervisor.spec(deps, state, recovered, publications),
                CALL_TIMEOUT);
    }

    /** Stops a shape's processes, if they still run. */
    public static void stopShape(ProcessRef supervisor, String handle) throws InterruptedException {
        Supervisor.terminateChild(supervisor, ConsumerSupervisor.id(handle), CALL_TIMEOUT);
    }
}
