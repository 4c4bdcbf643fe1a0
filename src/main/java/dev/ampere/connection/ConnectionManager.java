package dev.ampere.connection;

import dev.ampere.postgres.Backoff;
import dev.ampere.postgres.FatalDatabaseError;

import com.zaxxer.hikari.HikariDataSource;
import dev.ampere.config.Config;
import dev.ampere.config.DatabaseUrl;
import dev.ampere.postgres.Backoff;
import dev.ampere.postgres.FatalDatabaseError;
import dev.ampere.postgres.QueryPoolSlot;
import dev.ampere.postgres.ReplicationClient;
import dev.ampere.postgres.ReplicationStreamer;
import dev.ampere.postgres.Timeline;
import dev.ampere.process.ChildSpec;
import dev.ampere.process.Down;
import dev.ampere.process.ExitReason;
import dev.ampere.process.ExpectedFailure;
import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessContext;
import dev.ampere.process.OwnedProcesses;
import dev.ampere.process.ProcessRef;
import dev.ampere.process.Supervisor;
import dev.ampere.postgres.ReplicationStart;
import dev.ampere.replication.ReplicationSupervisor;
import dev.ampere.stack.Names;
import dev.ampere.stack.Stack;
import dev.ampere.stack.StackEvent;

import java.time.Duration;
import java.util.function.Function;

/**
 * Brings the stack's database side up in order (docs/protocol.md §3.2): the lock connection, then the replication
 * client, then the query pool and the timeline check, then the ReplicationSupervisor, and only then tells the client
 * to stream and the stack that it is ready.
 *
 * <p>Place in the tree: the first child of the ConnectionSupervisor (rest_for_one). It owns the lock connection and
 * the replication client (processes it starts in its own {@link OwnedProcesses} scope and monitors), and the query
 * pool, which it publishes through the {@link QueryPoolSlot} it was given. Losing the lock connection crashes the
 * manager (its supervisor restarts it and, by rest_for_one, everything below); losing the replication client
 * restarts the client in place after an exponential backoff (1 s to 10 s). A replication slot that had to be
 * created again under live shapes restarts the ReplicationSupervisor with a purge. A fatal database error is
 * reported once and ends all attempts.
 *
 * <p>Threading: a process; all fields are owned by its thread.
 */
public final class ConnectionManager implements ProcessBody {

    private final Stack stack;
    private final Config config;
    private final DatabaseUrl url;
    private final ReplicationStreamer streamer;
    private final Function<ReplicationStart, ChildSpec> replicationSupervisor;
    private final QueryPoolSlot poolSlot;
    private final Backoff backoff = Backoff.standard();

    private ProcessContext ctx;
    private OwnedProcesses owned;
    private long restartClientAt; // System.nanoTime() deadline for the next client attempt; 0 when none is due
    private ProcessRef lock;
    private ProcessRef client;
    private ProcessRef replication;
    private boolean timelineChecked;
    private HikariDataSource pool;
    private boolean fatal;

    public ConnectionManager(Stack stack, ReplicationStreamer streamer, QueryPoolSlot poolSlot,
                             Function<ReplicationStart, ChildSpec> replicationSupervisor) {
        this.stack = stack;
        this.poolSlot = poolSlot;
        this.config = stack.config();
        this.url = config.databaseUrl().orElseThrow(() -> new IllegalStateException("no database configured"));
        this.streamer = streamer;
        this.replicationSupervisor = replicationSupervisor;
    }

    @Override
    public void run(ProcessContext ctx) throws Exception {
        this.ctx = ctx;
        ctx.started();
        owned = OwnedProcesses.open("connection_manager", Duration.ofSeconds(5));
        try {
            lock = owned.start("lock_connection", new LockConnection(url, config.slotName(), stack.events(), ctx.self()));
            lock.monitor(ctx.self());
            while (true) {
                Object m = receive();
                if (m == null) {
                    restartClientAt = 0;
                    startClient();
                    continue;
                }
                if (fatal) continue; // nothing more to do until someone fixes the configuration and restarts us
                switch (m) {
                    case LockConnection.Acquired a -> startClient();
                    case ReplicationClient.Connected c -> onClientConnected(c);
                    case Down d when d.process() == lock -> onLockDown(d.reason());
                    case Down d when d.process() == client -> onClientDown(d.reason());
                    case Down d when d.process() == replication ->
                            throw new ExpectedFailure("the replication supervisor stopped (" + d.reason() + ")");
                    default -> { }
                }
            }
        } finally {
            shutdown();
        }
    }

    /** The next message, or null when the backoff before restarting the replication client has passed. */
    private Object receive() throws InterruptedException {
        if (restartClientAt == 0 || fatal) return ctx.receive();
        long left = restartClientAt - System.nanoTime();
        return left <= 0 ? null : ctx.receive(Duration.ofNanos(left));
    }

    private void startClient() {
        client = owned.start("replication_client",
                new ReplicationClient(config, url, stack.events(), ctx.self(), streamer));
        client.monitor(ctx.self());
    }

    private void onClientConnected(ReplicationClient.Connected c) throws Exception {
        if (c.client() != client) return;
        if (pool == null) {
            pool = QueryPool.open(config.queryDatabaseUrl().orElse(url), config.dbPoolSize(), stack.id());
            poolSlot.publish(pool);
        }
        boolean timelineChanged = false;
        if (!timelineChecked) {
            timelineChanged = Timeline.checkAndPersist(config.storageDir(), stack.id(), c.identity());
            timelineChecked = true;
        }
        stack.events().publish(new StackEvent.ReplicationConnected(c.identity().systemId(), c.identity().timeline(),
                c.slotCreated(), timelineChanged));
        if (replication == null) {
            startReplication(new ReplicationStart(c.slotCreated() || timelineChanged, c.resumeFrom().value()));
        } else if (c.slotCreated()) {
            // The slot was lost while shapes were live: what was committed meanwhile is gone from the stream, so
            // the replication branch starts again from nothing.
            stack.events().publish(new StackEvent.ConnectionLost("replication slot",
                    "it had to be created again; every shape is purged"));
            replication.demonitor(ctx.self());
            Supervisor.terminateChild(connectionSupervisor(), ReplicationSupervisor.ID, Duration.ofMinutes(5));
            startReplication(new ReplicationStart(true, c.resumeFrom().value()));
        }
        stack.events().publish(new StackEvent.Ready());
        backoff.reset();
        client.send(new ReplicationClient.StartStreaming());
    }

    private void startReplication(ReplicationStart start) throws InterruptedException {
        replication = Supervisor.startChild(connectionSupervisor(), replicationSupervisor.apply(start),
                Duration.ofMinutes(5));
        replication.monitor(ctx.self());
    }

    private ProcessRef connectionSupervisor() {
        return stack.registry().whereis(Names.CONNECTION_SUPERVISOR)
                .orElseThrow(() -> new IllegalStateException("no connection supervisor"));
    }

    private void onLockDown(ExitReason reason) {
        if (isFatal(reason)) {
            fail(reason);
            return;
        }
        String why = reason instanceof ExitReason.Crash(Throwable t) ? t.getMessage() : reason.toString();
        stack.events().publish(new StackEvent.ConnectionLost("lock connection", why));
        throw new ExpectedFailure("lost the lock connection: " + why);
    }

    private void onClientDown(ExitReason reason) {
        if (isFatal(reason)) {
            fail(reason);
            return;
        }
        String why = reason instanceof ExitReason.Crash(Throwable t) ? t.getMessage() : reason.toString();
        stack.events().publish(new StackEvent.ConnectionLost("replication connection", why));
        restartClientAt = System.nanoTime() + backoff.next().toNanos();
    }

    private static boolean isFatal(ExitReason reason) {
        return reason instanceof ExitReason.Crash(FatalDatabaseError e);
    }

    private void fail(ExitReason reason) {
        fatal = true;
        stack.events().publish(new StackEvent.Fatal(((ExitReason.Crash) reason).cause().getMessage()));
        stopOwned();
    }

    private void stopOwned() {
        if (client != null) client.stopUninterruptibly(Duration.ofSeconds(5));
        if (lock != null) lock.stopUninterruptibly(Duration.ofSeconds(5));
    }


    /** Runs however the manager ends, interrupted or not: nothing it owns may outlive it. */
    private void shutdown() {
        boolean interrupted = Thread.interrupted();
        stopOwned();
        if (owned != null) owned.close();
        poolSlot.clear();
        interrupted |= Thread.interrupted(); // a stop request that arrived while the owned processes stopped
        if (pool != null) pool.close();
        stack.events().lockReleased();
        if (interrupted) Thread.currentThread().interrupt();
    }
}
