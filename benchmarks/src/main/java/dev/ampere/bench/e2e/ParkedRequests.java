package dev.ampere.bench.e2e;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * K long-polls held open against one server, one connection and one virtual thread each, started in batches so
 * the server's accept queue is never flooded. Counts how many have been sent, how many came back (and with 200),
 * and closes every connection at the end.
 */
final class ParkedRequests implements AutoCloseable {
    private static final int BATCH = 100;

    private final List<HttpConnection> connections = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger returned = new AtomicInteger();
    private final AtomicInteger ok = new AtomicInteger();

    ParkedRequests(int port, String target, int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            HttpConnection c = new HttpConnection(port, 120_000);
            connections.add(c);
            threads.add(Thread.ofVirtual().name("parked-" + i).start(() -> {
                sent.incrementAndGet();
                try {
                    if (c.get(target).status() == 200) ok.incrementAndGet();
                } catch (IOException e) {
                    // closed at the end, or refused: not counted as returned with 200
                } finally {
                    returned.incrementAndGet();
                }
            }));
            if ((i + 1) % BATCH == 0) Thread.sleep(20);
        }
    }

    int sent() {
        return sent.get();
    }

    int returned() {
        return returned.get();
    }

    int ok() {
        return ok.get();
    }

    /** Waits (bounded) until every request has come back. */
    boolean awaitReturned(long deadlineNanos) throws InterruptedException {
        while (returned.get() < threads.size() && System.nanoTime() < deadlineNanos) Thread.sleep(10);
        return returned.get() == threads.size();
    }

    @Override
    public void close() throws InterruptedException {
        connections.forEach(HttpConnection::close);
        for (Thread t : threads) t.join(5_000);
    }
}
