package dev.ampere.http;

/**
 * A table or column identifier in a request that Electric's identifier rules reject; the message is the exact text
 * Electric reports to the client (docs/protocol.md §1.3).
 *
 * <p>Immutable.
 */
public final class InvalidIdentifierException extends Exception {
    public InvalidIdentifierException(String message) {
        super(message, null, false, false);
    }
}
