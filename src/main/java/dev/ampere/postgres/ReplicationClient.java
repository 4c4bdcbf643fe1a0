package dev.ampere.postgres;

import dev.ampere.changes.Lsn;

import dev.ampere.config.Config;
import dev.ampere.config.DatabaseUrl;
import dev.ampere.postgres.DatabaseConnector;
import dev.ampere.postgres.FatalDatabaseError;
import dev.ampere.process.ExpectedFailure;
import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessContext;
import dev.ampere.process.ProcessRef;
import dev.ampere.stack.StackEvent;
import dev.ampere.stack.StackEvents;

import dev.ampere.postgres.wal.ReplicationConnections;

import java.sql.Connection;
import java.util.Properties;
import java.sql.SQLException;

/**
 * The replication connection (docs/protocol.md §3.2 step 2): connects with {@code replication=database}, identifies
 * the system, checks {@code wal_level}, makes sure the publication and the slot exist, reports to the
 * ConnectionManager, and on {@link StartStreaming} hands the connection to its {@link ReplicationStreamer} until the
 * connection fails. Owned and restarted in place by the ConnectionManager.
 *
 * <p>Threading: a process; the connection is confined to its thread.
 */
public final class ReplicationClient implements ProcessBody {
    /** Sent to the manager when the connection is prepared. */
    public record Connected(ProcessRef client, SystemIdentity identity, boolean slotCreated, Lsn resumeFrom) {}

    /** Sent by the manager once everything downstream is ready to take changes. */
    public record StartStreaming() {}

    private final Config config;
    private final DatabaseUrl url;
    private final StackEvents events;
    private final ProcessRef manager;
    private final ReplicationStreamer streamer;

    public ReplicationClient(Config config, DatabaseUrl url, StackEvents events, ProcessRef manager,
                             ReplicationStreamer streamer) {
        this.config = config;
        this.url = url;
        this.events = events;
        this.manager = manager;
        this.streamer = streamer;
    }

    @Override
    public void run(ProcessContext ctx) throws Exception {
        try (Connection c = DatabaseConnector.connect(url,
                ReplicationConnections.replicationProperties(new Properties()), "the replication connection", events, ctx)) {
            ReplicationConnections.applyDisplaySettings(c);
            SystemIdentity identity = ReplicationSetup.identify(c);
            ReplicationSetup.checkWalLevel(c);
            ReplicationSetup.ensurePublication(c, config.publicationName());
            boolean created = ReplicationSetup.ensureSlot(c, config.slotName(), config.temporarySlot());
            Lsn resumeFrom = ReplicationSetup.confirmedFlush(c, config.slotName());
            manager.send(new Connected(ctx.self(), identity, created, resumeFrom));
            while (!(ctx.receive() instanceof StartStreaming)) {
                // only the manager talks to this process before streaming starts
            }
            events.publish(new StackEvent.Replicating(resumeFrom.toString()));
            streamer.stream(ctx, c, resumeFrom);
        } catch (SQLException e) {
            if (ctx.stopRequested()) throw e;
            if (DatabaseConnector.isFatal(e)) throw new FatalDatabaseError(DatabaseConnector.describe(url, e));
            throw new ExpectedFailure("the replication connection failed: " + DatabaseConnector.describe(url, e));
        }
    }
}
