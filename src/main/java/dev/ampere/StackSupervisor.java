package dev.ampere;

import dev.ampere.stack.Names;
import dev.ampere.stack.Stack;

import dev.ampere.connection.ConnectionSupervisor;
import dev.ampere.postgres.Inspector;
import dev.ampere.postgres.ReplicationStreamer;
import dev.ampere.process.ChildSpec;
import dev.ampere.process.Strategy;
import dev.ampere.process.Supervisor;
import dev.ampere.replication.ReplicationSupervisor;

import java.time.Duration;

/**
 * The root of one stack (PROTOCOL.md §3.1), one_for_one: the Inspector, then the ConnectionSupervisor. The
 * registries and the event bus are not processes here but thread-safe structures of the {@link Stack}.
 */
public final class StackSupervisor {
    private StackSupervisor() {}

    public static Supervisor build(Stack stack, ReplicationStreamer streamer) {
        ChildSpec inspector = ChildSpec.of("inspector", () -> new Inspector(stack, stack.tableCache()))
                .registeredAs(stack.registry(), Names.INSPECTOR);
        return Supervisor.builder("stack_supervisor:" + stack.id())
                .strategy(Strategy.ONE_FOR_ONE)
                .intensity(3, Duration.ofSeconds(30))
                .child(inspector)
                .child(ConnectionSupervisor.spec(stack, streamer, () -> ReplicationSupervisor.spec(stack)))
                .build();
    }
}
