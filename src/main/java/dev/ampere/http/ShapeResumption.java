package dev.ampere.http;

import dev.ampere.shapecache.ShapeDirectory;
import dev.ampere.shapes.ShapeState;

import java.time.Duration;
import java.util.Optional;

/**
 * Finds a suspended shape again after the replication branch restarted (docs/protocol.md §3.10): a lost
 * connection or a Postgres restart stops every consumer, and the next ShapeCache recovers the stored shapes under
 * their old handles. A request that was waiting on such a shape waits for the stack to be ready again and carries
 * on with the recovered shape, so a reconnect is invisible to its client; a 409 is only for a shape that really
 * is gone.
 *
 * <p>Thread-safe; called on request threads.
 */
final class ShapeResumption {
    /** What became of a suspended shape. */
    sealed interface Outcome {}

    /** The same shape (handle and definition), recovered. */
    record Resumed(ShapeState shape) implements Outcome {}

    /** The stack is serving again without it: the client must refetch. */
    record Gone() implements Outcome {}

    /** The stack was not back before the deadline. */
    record StillUnavailable(String message) implements Outcome {}

    private final StackReadiness readiness;
    private final ShapeDirectory shapes;

    ShapeResumption(StackReadiness readiness, ShapeDirectory shapes) {
        this.readiness = readiness;
        this.shapes = shapes;
    }

    Outcome resume(ShapeState suspended, long deadlineNanos) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (!readiness.await(Duration.ofNanos(Math.max(0, left)))) {
            return new StillUnavailable(readiness.notReadyMessage());
        }
        Optional<ShapeState> back = shapes.byHandle(suspended.handle())
                .filter(s -> s != suspended)
                .filter(s -> s.definitionKey().equals(suspended.definitionKey()));
        return back.<Outcome>map(Resumed::new).orElseGet(Gone::new);
    }
}
