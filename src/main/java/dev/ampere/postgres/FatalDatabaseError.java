package dev.ampere.postgres;

import dev.ampere.process.ExpectedFailure;

/**
 * A database problem that no retry fixes: wrong credentials, a database that does not exist, a server whose
 * {@code wal_level} is not {@code logical}, a role without the REPLICATION attribute. The stack reports it and stops
 * trying.
 */
public final class FatalDatabaseError extends ExpectedFailure {
    public FatalDatabaseError(String message) {
        super(message);
    }
}
