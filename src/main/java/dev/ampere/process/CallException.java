package dev.ampere.process;

/** A {@link ProcessRef#call} that got no answer: the subclasses say why. */
public sealed class CallException extends RuntimeException
        permits CallException.Timeout, CallException.NoProcess, CallException.Failed {

    CallException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The process did not answer in time. It may still be alive and may still handle the request later. */
    public static final class Timeout extends CallException {
        Timeout(ProcessRef target, Object request) {
            super("call to " + target + " timed out: " + request, null);
        }
    }

    /** The process was dead when called, or exited before answering; {@link #reason()} says how it exited. */
    public static final class NoProcess extends CallException {
        private final transient ExitReason reason;

        NoProcess(ProcessRef target, ExitReason reason) {
            super(target + " exited (" + reason + ")", reason instanceof ExitReason.Crash c ? c.cause() : null);
            this.reason = reason;
        }

        public ExitReason reason() {
            return reason;
        }
    }

    /** The process answered with an error (through {@link Call#fail}). */
    public static final class Failed extends CallException {
        Failed(ProcessRef target, Throwable cause) {
            super(target + " failed the call: " + cause.getMessage(), cause);
        }
    }
}
