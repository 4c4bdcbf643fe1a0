package dev.ampere.postgres.pgoutput;

/**
 * Thrown by {@link PgOutputDecoder} when a payload is not a well-formed pgoutput message of a supported kind.
 * The replication stream cannot continue past such a message, so callers treat it as fatal for the connection.
 */
public final class PgOutputDecodeException extends RuntimeException {
    public PgOutputDecodeException(String message) {
        super(message);
    }

    public PgOutputDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
