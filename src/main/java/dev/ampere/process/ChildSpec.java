package dev.ampere.process;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How a supervisor runs one child: a fresh body for every incarnation, a restart type, how long it may take to
 * stop, whether it is significant, what mailbox it gets, and the name it registers under while alive.
 *
 * <p>Immutable; build with {@link #of} and the {@code with*} methods.
 */
public record ChildSpec(String id, Supplier<ProcessBody> start, RestartType restart, Duration shutdownTimeout,
                        boolean significant, Supplier<Mailbox> mailbox, ProcessRegistry registry, Object registeredName) {
    public ChildSpec {
        Objects.requireNonNull(id);
        Objects.requireNonNull(start);
        Objects.requireNonNull(restart);
        Objects.requireNonNull(shutdownTimeout);
        Objects.requireNonNull(mailbox);
        if (significant && restart == RestartType.PERMANENT) {
            throw new IllegalArgumentException("a significant child must be transient or temporary: " + id);
        }
        if ((registry == null) != (registeredName == null)) {
            throw new IllegalArgumentException("registry and name go together: " + id);
        }
    }

    private static final Duration DEFAULT_SHUTDOWN = Duration.ofSeconds(5);

    /** A permanent child with a 5 s shutdown timeout and an unbounded mailbox. */
    public static ChildSpec of(String id, Supplier<ProcessBody> start) {
        return new ChildSpec(id, start, RestartType.PERMANENT, DEFAULT_SHUTDOWN, false, Mailbox::unbounded,
                null, null);
    }

    public ChildSpec withRestart(RestartType r) {
        return new ChildSpec(id, start, r, shutdownTimeout, significant, mailbox, registry, registeredName);
    }

    public ChildSpec withShutdownTimeout(Duration t) {
        return new ChildSpec(id, start, restart, t, significant, mailbox, registry, registeredName);
    }

    public ChildSpec asSignificant() {
        return new ChildSpec(id, start, restart, shutdownTimeout, true, mailbox, registry, registeredName);
    }

    public ChildSpec withMailbox(Supplier<Mailbox> m) {
        return new ChildSpec(id, start, restart, shutdownTimeout, significant, m, registry, registeredName);
    }

    /** Each incarnation registers under {@code name} in {@code reg} before its body runs. */
    public ChildSpec registeredAs(ProcessRegistry reg, Object name) {
        return new ChildSpec(id, start, restart, shutdownTimeout, significant, mailbox, reg, name);
    }
}
