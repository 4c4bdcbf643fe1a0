package dev.ampere.process;

/**
 * Why a process stopped. {@link Normal}: its body returned. {@link Shutdown}: it was asked to stop (interrupted by its
 * supervisor or owner). {@link Crash}: its body threw.
 *
 * <p>Immutable.
 */
public sealed interface ExitReason {
    Normal NORMAL = new Normal();
    Shutdown SHUTDOWN = new Shutdown();

    /** True for {@link Crash}: the exit a transient child is restarted for. */
    default boolean isAbnormal() {
        return this instanceof Crash;
    }

    record Normal() implements ExitReason {
        @Override
        public String toString() {
            return "normal";
        }
    }

    record Shutdown() implements ExitReason {
        @Override
        public String toString() {
            return "shutdown";
        }
    }

    record Crash(Throwable cause) implements ExitReason {
        @Override
        public String toString() {
            return "crash: " + cause;
        }
    }
}
