package dev.ampere.connection;

import dev.ampere.postgres.QueryPoolSlot;
import dev.ampere.postgres.ReplicationStreamer;
import dev.ampere.process.ChildSpec;
import dev.ampere.process.Strategy;
import dev.ampere.process.Supervisor;
import dev.ampere.postgres.ReplicationStart;
import dev.ampere.stack.Names;
import dev.ampere.stack.Stack;

import java.time.Duration;
import java.util.function.Function;

/**
 * The rest_for_one supervisor of the connection side: the ConnectionManager first, then the ReplicationSupervisor,
 * which the manager adds (as a temporary child) once the database side is up. When the manager dies, rest_for_one
 * stops the ReplicationSupervisor and every shape process under it; the fresh manager re-adds it after reconnecting.
 */
public final class ConnectionSupervisor {
    private ConnectionSupervisor() {}

    public static ChildSpec spec(Stack stack, ReplicationStreamer streamer, QueryPoolSlot pool,
                                 Function<ReplicationStart, ChildSpec> replicationSupervisor) {
        ChildSpec manager = ChildSpec.of("connection_manager",
                        () -> new ConnectionManager(stack, streamer, pool, replicationSupervisor))
                .withShutdownTimeout(Duration.ofSeconds(15))
                .registeredAs(stack.registry(), Names.CONNECTION_MANAGER);
        return Supervisor.builder("connection_supervisor")
                .strategy(Strategy.REST_FOR_ONE)
                .intensity(5, Duration.ofSeconds(30))
                .child(manager)
                .asChild()
                .registeredAs(stack.registry(), Names.CONNECTION_SUPERVISOR);
    }
}
