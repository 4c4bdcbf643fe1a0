package dev.ampere.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;

/**
 * Processes that one process starts and owns itself, outside any restart strategy (Electric's
 * {@code start_link} from inside a GenServer): the owner monitors them and decides what their exit means. Each is
 * forked into a {@link StructuredTaskScope} that the owner's thread opened, so no owned process outlives its
 * owner, and none runs outside the supervision tree: the owner is supervised, and its scope is nested in its
 * supervisor's.
 *
 * <p>Owned processes never hibernate (their runs could only be forked by the owner's thread), and an owner that
 * hibernates must close its scope first: a scope cannot outlive the run that opened it.
 *
 * <p>Threading: open, {@link #start} and {@link #close} only on the owner's thread (the scope's rule: only the
 * owner forks and joins). Refs it returns are ordinary, thread-safe process refs.
 */
public final class OwnedProcesses implements AutoCloseable {
    private final StructuredTaskScope<Object, Void> scope;
    private final Duration shutdownTimeout;
    private final List<ProcessRef> started = new ArrayList<>();

    private OwnedProcesses(StructuredTaskScope<Object, Void> scope, Duration shutdownTimeout) {
        this.scope = scope;
        this.shutdownTimeout = shutdownTimeout;
    }

    /** Opens the scope on the calling (owner) thread; each owned process gets {@code shutdownTimeout} to stop. */
    public static OwnedProcesses open(String name, Duration shutdownTimeout) {
        return new OwnedProcesses(StructuredTaskScope.open(Joiner.<Object>awaitAll(), cfg -> cfg.withName(name)),
                shutdownTimeout);
    }

    /** Starts {@code body} as a new process with an unbounded mailbox; returns at once. */
    public ProcessRef start(String name, ProcessBody body) {
        started.removeIf(r -> !r.isAlive());
        ProcessRef ref = Processes.newRef(name, Mailbox.unbounded());
        started.add(ref);
        scope.fork(() -> {
            Processes.execute(ref, body);
            return null;
        });
        return ref;
    }

    /** Stops every owned process still running (each within the shutdown timeout), then waits for all of them. */
    @Override
    public void close() {
        boolean interrupted = Thread.interrupted();
        for (ProcessRef ref : started.reversed()) ref.stopUninterruptibly(shutdownTimeout);
        while (true) {
            try {
                scope.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // every owned process was asked to stop; wait for the last of them
            }
        }
        scope.close();
        if (interrupted) Thread.currentThread().interrupt();
    }
}
