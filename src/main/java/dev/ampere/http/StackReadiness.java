package dev.ampere.http;

import dev.ampere.shapecache.ShapeDirectory;
import dev.ampere.stack.StackEvent;
import dev.ampere.stack.StackEvents;
import dev.ampere.stack.StackStatus;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a request until the stack can serve shapes (docs/protocol.md §3.10), woken by the stack's events rather than
 * by polling.
 *
 * <p>Thread-safe; called on request threads.
 */
final class StackReadiness {
    private final StackEvents events;
    private final ShapeDirectory shapes;

    StackReadiness(StackEvents events, ShapeDirectory shapes) {
        this.events = events;
        this.shapes = shapes;
    }

    boolean await(Duration timeout) throws InterruptedException {
        if (ready()) return true;
        CountDownLatch changed = new CountDownLatch(1);
        try (var sub = events.subscribe(e -> {
            if (e instanceof StackEvent.Ready || e instanceof StackEvent.Fatal) changed.countDown();
        })) {
            if (ready()) return true;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!ready()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || events.fatal().isPresent()) return false;
                // Ready may precede the shape table by a moment (the ShapeCache makes it available while starting):
                // once the event has come, wait in short slices instead of spinning on the open latch.
                long slice = Math.min(left, TimeUnit.MILLISECONDS.toNanos(50));
                if (changed.getCount() == 0) Thread.sleep(Duration.ofNanos(slice));
                else changed.await(slice, TimeUnit.NANOSECONDS);
            }
            return true;
        }
    }

    boolean ready() {
        return events.status() == StackStatus.ACTIVE && shapes.available();
    }

    /** The 503 message for a stack that did not become ready in time. */
    String notReadyMessage() {
        return events.fatal().orElse(switch (events.status()) {
            case WAITING -> "Timeout waiting for Postgres lock acquisition";
            case STARTING -> "Timeout waiting for the replication connection to be ready";
            case ACTIVE -> "Timeout waiting for shapes to be available";
        });
    }
}
