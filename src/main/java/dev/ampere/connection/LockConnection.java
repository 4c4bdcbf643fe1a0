package dev.ampere.connection;

import dev.ampere.postgres.DatabaseConnector;
import dev.ampere.postgres.FatalDatabaseError;

import dev.ampere.config.DatabaseUrl;
import dev.ampere.process.ExpectedFailure;
import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessContext;
import dev.ampere.process.ProcessRef;
import dev.ampere.stack.StackEvent;
import dev.ampere.stack.StackEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * Holds {@code pg_advisory_lock(hashtext(<slot name>))} on a connection of its own, so that only one Ampere instance
 * streams from a slot at a time; a second instance waits here, saying so every 10 s, and takes over when the first
 * one's connection goes. Part of the ConnectionManager: it tells the manager when it holds the lock, and exits
 * (crashing the manager, and by rest_for_one everything below it) when the connection is lost.
 *
 * <p>Threading: a process; the JDBC connection is confined to its thread.
 */
public final class LockConnection implements ProcessBody {
    private static final Logger log = LoggerFactory.getLogger(LockConnection.class);
    private static final Duration WAIT_REPORT_INTERVAL = Duration.ofSeconds(10);
    private static final Duration LIVENESS_CHECK = Duration.ofSeconds(2);

    /** Sent to the manager once the lock is held. */
    public record Acquired() {}

    private final DatabaseUrl url;
    private final String slotName;
    private final StackEvents events;
    private final ProcessRef manager;

    public LockConnection(DatabaseUrl url, String slotName, StackEvents events, ProcessRef manager) {
        this.url = url;
        this.slotName = slotName;
        this.events = events;
        this.manager = manager;
    }

    @Override
    public void run(ProcessContext ctx) throws Exception {
        try (Connection c = DatabaseConnector.connect(url, new Properties(), "the lock connection", events, ctx);
             Statement s = c.createStatement()) {
            events.publish(new StackEvent.WaitingForLock(slotName));
            acquire(ctx, s);
            events.publish(new StackEvent.LockAcquired(slotName));
            manager.send(new Acquired());
            while (true) {
                ctx.receive(LIVENESS_CHECK);
                if (!c.isValid(5)) throw new ExpectedFailure("the lock connection to " + url.describe() + " was lost");
            }
        } catch (SQLException e) {
            if (DatabaseConnector.isFatal(e)) throw new FatalDatabaseError(DatabaseConnector.describe(url, e));
            throw new ExpectedFailure("the lock connection failed: " + DatabaseConnector.describe(url, e));
        }
    }

    /**
     * Waits for the lock in slices of {@code lock_timeout}, so that a long wait is reported regularly instead of
     * silently blocking; a lock timeout (55P03) just starts the next slice.
     */
    private void acquire(ProcessContext ctx, Statement s) throws SQLException, InterruptedException {
        s.execute("SET lock_timeout = '" + WAIT_REPORT_INTERVAL.toMillis() + "ms'");
        String lockSql = "SELECT pg_advisory_lock(hashtext('" + slotName.replace("'", "''") + "'))";
        while (true) {
            if (ctx.stopRequested()) throw new InterruptedException("stopped while waiting for the lock");
            try {
                s.execute(lockSql);
                break;
            } catch (SQLException e) {
                if (!"55P03".equals(e.getSQLState())) throw e;
                log.warn("still waiting for the replication lock on slot {}: another Ampere instance holds it", slotName);
            }
        }
        s.execute("SET lock_timeout = 0");
    }
}
