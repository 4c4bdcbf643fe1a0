package dev.ampere;

import dev.ampere.connection.ConnectionSupervisor;
import dev.ampere.postgres.Inspector;
import dev.ampere.postgres.QueryPoolSlot;
import dev.ampere.postgres.ReplicationStreamer;
import dev.ampere.postgres.TableCache;
import dev.ampere.process.ChildSpec;
import dev.ampere.process.Strategy;
import dev.ampere.process.Supervisor;
import dev.ampere.replication.ReplicationSupervisor;
import dev.ampere.stack.Names;
import dev.ampere.stack.Stack;

import java.time.Duration;

/**
 * The root of one stack (docs/protocol.md §3.1), one_for_one: the Inspector, then the ConnectionSupervisor. The
 * registries and the event bus are not processes here but thread-safe structures of the {@link Stack}; the views
 * the branches share (query pool, table metadata, live shapes, replication progress) are created once by
 * {@link Ampere} and passed down from here by constructor.
 */
final class StackSupervisor {
    private StackSupervisor() {}

    static Supervisor build(Stack stack, ReplicationStreamer streamer, TableCache tableCache, QueryPoolSlot pool,
                            ReplicationSupervisor.Views views) {
        ChildSpec inspector = ChildSpec.of("inspector", () -> new Inspector(tableCache, pool))
                .registeredAs(stack.registry(), Names.INSPECTOR);
        return Supervisor.builder("stack_supervisor:" + stack.id())
                .strategy(Strategy.ONE_FOR_ONE)
                .intensity(3, Duration.ofSeconds(30))
                .child(inspector)
                .child(ConnectionSupervisor.spec(stack, streamer, pool,
                        start -> ReplicationSupervisor.spec(stack, views, start)))
                .build();
    }
}
