package dev.ampere.bench.e2e;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Creates many shapes with bounded concurrency: {@code concurrency} virtual threads, each on its own kept-alive
 * connection, take the next where clause and send {@code GET offset=-1} for it. A 5xx is retried (up to 5 times,
 * after at most a second); anything else but 200 counts as an error. Reports wall time and per-request latency.
 */
final class ShapeCreator {
    private static final int RETRIES = 5;

    /** What creating the shapes took. */
    record Result(int shapes, int created, int errors, int retries, double seconds, LatencySummary perRequest) {}

    private ShapeCreator() {}

    static Result create(int port, String table, List<String> wheres, int concurrency, long deadlineNanos)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        AtomicInteger created = new AtomicInteger();
        AtomicLongArray latencies = new AtomicLongArray(wheres.size());
        long t0 = System.nanoTime();
        Thread[] workers = new Thread[Math.min(concurrency, wheres.size())];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = Thread.ofVirtual().name("creator-" + w).start(() -> {
                try (HttpConnection c = new HttpConnection(port, 120_000)) {
                    for (int i = next.getAndIncrement(); i < wheres.size(); i = next.getAndIncrement()) {
                        if (System.nanoTime() > deadlineNanos) {
                            errors.incrementAndGet();
                            continue;
                        }
                        long start = System.nanoTime();
                        if (createOne(c, table, wheres.get(i), retries)) {
                            created.incrementAndGet();
                            latencies.set(i, System.nanoTime() - start);
                        } else {
                            errors.incrementAndGet();
                        }
                    }
                }
            });
        }
        for (Thread t : workers) t.join();
        double seconds = (System.nanoTime() - t0) / 1e9;
        LatencySummary perRequest = LatencySummary.ofNanos(latencies);
        return new Result(wheres.size(), created.get(), errors.get(), retries.get(), seconds, perRequest);
    }

    private static boolean createOne(HttpConnection c, String table, String where, AtomicInteger retries) {
        String target = ShapeUrl.of(table, where, "-1", null, false, null);
        for (int attempt = 0; attempt <= RETRIES; attempt++) {
            try {
                HttpResponse r = c.get(target);
                if (r.status() == 200) return true;
                if (r.status() < 500) return false;
                retries.incrementAndGet();
                Thread.sleep(retryAfterMillis(r));
            } catch (IOException e) {
                retries.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private static long retryAfterMillis(HttpResponse r) {
        try {
            return Math.min(1_000, Long.parseLong(r.header("retry-after")) * 1_000);
        } catch (RuntimeException e) {
            return 200;
        }
    }
}
