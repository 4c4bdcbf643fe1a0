package dev.ampere.http;

import dev.ampere.stack.Stack;
import dev.ampere.stack.StackEvent;
import dev.ampere.stack.StackStatus;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a request until the stack can serve shapes (PROTOCOL.md §3.10 {@code hold_conn_until_stack_ready}), woken by
 * the stack's events rather than by polling.
 *
 * <p>Stateless; called on request threads.
 */
final class StackReadiness {
    private StackReadiness() {}

    static boolean await(Stack stack, Duration timeout) throws InterruptedException {
        if (ready(stack)) return true;
        CountDownLatch changed = new CountDownLatch(1);
        try (var sub = stack.events().subscribe(e -> {
            if (e instanceof StackEvent.Ready || e instanceof StackEvent.Fatal) changed.countDown();
        })) {
            if (ready(stack)) return true;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!ready(stack)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || stack.events().fatal().isPresent()) return false;
                // Ready may precede the shape table by a moment (the ShapeCache publishes it while starting): once
                // the event has come, wait in short slices instead of spinning on the open latch.
                long slice = Math.min(left, TimeUnit.MILLISECONDS.toNanos(50));
                if (changed.getCount() == 0) Thread.sleep(Duration.ofNanos(slice));
                else changed.await(slice, TimeUnit.NANOSECONDS);
            }
            return true;
        }
    }

    private static boolean ready(Stack stack) {
        return stack.events().status() == StackStatus.ACTIVE && stack.shapes().isPresent();
    }

    /** The 503 message for a stack that did not become ready in time. */
    static String notReadyMessage(Stack stack) {
        return stack.events().fatal().orElse(switch (stack.events().status()) {
            case WAITING -> "Timeout waiting for Postgres lock acquisition";
            case STARTING -> "Timeout waiting for the replication connection to be ready";
            case ACTIVE -> "Timeout waiting for shapes to be available";
        });
    }
}
