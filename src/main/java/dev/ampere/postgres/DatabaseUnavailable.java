package dev.ampere.postgres;

/** The database could not be asked: no pool yet, the pool is exhausted, or the query failed for want of it. */
public final class DatabaseUnavailable extends RuntimeException {
    public DatabaseUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
