package dev.ampere.shapes;

import dev.ampere.process.AutoShutdown;
import dev.ampere.process.ChildSpec;
import dev.ampere.process.Mailbox;
import dev.ampere.process.RestartType;
import dev.ampere.process.Supervisor;
import dev.ampere.shapecache.ShapeStatus;
import dev.ampere.shapecache.storage.SnapshotInfo;
import dev.ampere.stack.Stack;

import java.util.List;
import java.util.Optional;

/**
 * One shape's processes (PROTOCOL.md §3.1): its Consumer (significant: when it ends, the shape ends) and, for a new
 * shape, its Snapshotter. Consumers are never restarted: a shape that fails is removed and recreated on demand.
 * Storage is not a process here: Chronicle's appender and readers are thread-safe objects owned by the consumer.
 */
public final class ConsumerSupervisor {
    /** Bound of a consumer's mailbox, in messages (mostly transaction fragments of up to 500 changes). */
    static final int CONSUMER_MAILBOX = 64;

    private ConsumerSupervisor() {}

    /** The registered name of a shape's consumer. */
    public static Object consumerName(String handle) {
        return List.of("consumer", handle);
    }

    public static ChildSpec spec(Stack stack, ShapeStatus status, Optional<SnapshotInfo> recovered) {
        String handle = status.handle();
        ChildSpec consumer = ChildSpec.of("consumer", () -> new Consumer(stack, status, recovered))
                .withRestart(RestartType.TEMPORARY)
                .asSignificant()
                .withMailbox(() -> Mailbox.bounded(CONSUMER_MAILBOX))
                .registeredAs(stack.registry(), consumerName(handle));
        Supervisor.Builder b = Supervisor.builder("shape:" + handle)
                .autoShutdown(AutoShutdown.ANY_SIGNIFICANT)
                .child(consumer);
        if (recovered.isEmpty()) {
            b.child(ChildSpec.of("snapshotter", () -> new Snapshotter(stack, status,
                            stack.registry().whereis(consumerName(handle)).orElseThrow()))
                    .withRestart(RestartType.TEMPORARY));
        }
        return b.asChild().withRestart(RestartType.TEMPORARY);
    }
}
