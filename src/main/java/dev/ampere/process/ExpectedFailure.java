package dev.ampere.process;

/**
 * A crash for a reason the operator can understand and act on (a database that went away, a lock that was lost).
 * Supervisors log it as one line with its message instead of a stack trace.
 */
public class ExpectedFailure extends RuntimeException {
    public ExpectedFailure(String message) {
        super(message);
    }

    public ExpectedFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
