package dev.ampere.postgres;

import dev.ampere.config.DatabaseUrl;
import dev.ampere.process.ProcessContext;
import dev.ampere.stack.StackEvent;
import dev.ampere.stack.StackEvents;
import org.postgresql.util.PSQLException;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;

/**
 * Opens a connection to Postgres, retrying with {@link Backoff} while the failure may pass (refused, unreachable,
 * the server starting or shutting down) and failing with a {@link FatalDatabaseError} at once when it cannot
 * (authentication, unknown database, missing privilege). Each failed attempt is one line in the log, never a stack
 * trace.
 *
 * <p>Stateless; called on the connecting process's own thread, which it may park between attempts.
 */
public final class DatabaseConnector {
    /** SQLSTATEs no retry fixes: auth failures, unknown database, insufficient privilege, bad options. */
    private static final Set<String> FATAL_STATES = Set.of("28P01", "28000", "3D000", "42501", "42704", "22023");

    private DatabaseConnector() {}

    /**
     * Connects, waiting as long as it takes for a reachable server, until the calling process is asked to stop.
     * The stop request is checked explicitly because pgjdbc may turn an interrupt during a connection attempt into
     * an ordinary connection failure and clear the thread's interrupt status.
     */
    public static Connection connect(DatabaseUrl url, Properties extra, String purpose, StackEvents events,
                                     ProcessContext ctx) throws InterruptedException {
        Backoff backoff = Backoff.standard();
        Properties props = url.jdbcProperties();
        props.putAll(extra);
        props.putIfAbsent("connectTimeout", "10");
        while (true) {
            if (ctx.stopRequested()) throw new InterruptedException("stopped while connecting");
            try {
                return DriverManager.getConnection(url.jdbcUrl(), props);
            } catch (SQLException e) {
                if (ctx.stopRequested()) throw new InterruptedException("stopped while connecting");
                if (isFatal(e)) throw new FatalDatabaseError(describe(url, e));
                Duration wait = backoff.next();
                events.publish(new StackEvent.ConnectionFailed(purpose, describe(url, e), wait));
                Thread.sleep(wait);
            }
        }
    }

    public static boolean isFatal(SQLException e) {
        return e.getSQLState() != null && FATAL_STATES.contains(e.getSQLState());
    }

    /** One line: where, and what Postgres or the network said. */
    public static String describe(DatabaseUrl url, SQLException e) {
        String message = e instanceof PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getMessage()
                : rootMessage(e);
        return url.describe() + ": " + message;
    }

    private static String rootMessage(Throwable t) {
        String m = t.getMessage();
        Throwable c = t.getCause();
        while (c != null && c != t) {
            if (c.getMessage() != null) m = c.getMessage();
            t = c;
            c = c.getCause();
        }
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
