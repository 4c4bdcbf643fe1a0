package dev.ampere.http;

import dev.ampere.process.DuplicateRegistry;
import dev.ampere.stack.StackEvent;
import dev.ampere.stack.StackEvents;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last {@link #KEPT} trouble events of the stack (connections failed or lost, a fatal error), with their time,
 * for the status page. Listens to the stack's events from the moment it is made.
 *
 * <p>Thread-safe: events arrive on the stack's threads, reads come from request threads.
 */
final class RecentErrors implements AutoCloseable {
    static final int KEPT = 20;

    record Entry(Instant at, String message) {}

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final DuplicateRegistry<String, StackEvent>.Subscription subscription;

    RecentErrors(StackEvents events) {
        subscription = events.subscribe(this::onEvent);
    }

    private void onEvent(StackEvent event) {
        String message = switch (event) {
            case StackEvent.ConnectionFailed f -> "connecting for " + f.purpose() + " failed: " + f.message()
                    + " (retrying in " + f.retryIn().toMillis() + " ms)";
            case StackEvent.ConnectionLost l -> l.what() + " lost: " + l.message();
            case StackEvent.Fatal f -> "fatal: " + f.message();
            default -> null;
        };
        if (message == null) return;
        synchronized (entries) {
            if (entries.size() == KEPT) entries.removeFirst();
            entries.addLast(new Entry(Instant.now(), message));
        }
    }

    /** The kept entries, newest first. */
    List<Entry> newestFirst() {
        synchronized (entries) {
            List<Entry> out = new ArrayList<>(entries);
            return out.reversed();
        }
    }

    @Override
    public void close() {
        subscription.close();
    }
}
