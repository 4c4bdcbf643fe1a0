package dev.ampere.testing;

import dev.ampere.stack.StackEvent;
import dev.ampere.stack.StackEvents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Records a stack's events so a test can wait for the next event of a kind, in order, instead of sleeping.
 *
 * <p>Thread-safe: events arrive on the publishing threads; the test reads them.
 */
public final class EventLog implements AutoCloseable {
    private final BlockingQueue<StackEvent> events = new LinkedBlockingQueue<>();
    private final List<StackEvent> seen = new ArrayList<>();
    private final AutoCloseable subscription;

    public EventLog(StackEvents bus) {
        this.subscription = bus.subscribe(events::add);
    }

    /** Consumes events until one of {@code type} arrives; fails after {@code seconds}. */
    public <T extends StackEvent> T await(Class<T> type, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = deadline - System.nanoTime();
            StackEvent e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
            if (e == null) fail("no " + type.getSimpleName() + " within " + seconds + " s; saw " + seen);
            seen.add(e);
            if (type.isInstance(e)) return type.cast(e);
        }
    }

    /** Events consumed so far plus those still queued. */
    public List<StackEvent> all() {
        List<StackEvent> all = new ArrayList<>(seen);
        all.addAll(events);
        return all;
    }

    @Override
    public void close() throws Exception {
        subscription.close();
    }
}
