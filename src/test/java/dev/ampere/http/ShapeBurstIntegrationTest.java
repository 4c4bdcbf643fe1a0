package dev.ampere.http;

import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A burst of 1,000 distinct new shapes at once, over real HTTP, each client retrying a 503 after its
 * {@code retry-after} as the official client does: every shape is served with its full snapshot, and the only 503s
 * are admission control's (docs/protocol.md §1.15), never an exhausted pool.
 */
class ShapeBurstIntegrationTest {
    private static final int SHAPES = 1_000;
    private static final int ROWS = 500;
    private static final Pattern KEY = Pattern.compile("\"key\":\"\\\\\"public\\\\\".\\\\\"items\\\\\"/\\\\\"(\\d+)\\\\\"\"");

    private record Outcome(int shape, int status, int attempts, Set<Integer> ids, String failure) {}

    @Test
    void aThousandNewShapesAtOnceAllSucceedWithTheirSnapshots() throws Exception {
        try (RunningAmpere a = new RunningAmpere("ELECTRIC_DB_POOL_SIZE", "20")) {
            a.sql("CREATE TABLE items (id int PRIMARY KEY, title text)",
                    "INSERT INTO items SELECT i, 'row ' || i FROM generate_series(1, " + ROWS + ") i");
            Result r = burst(a);
            System.out.printf("burst: %d shapes in %d ms, %d admission 503s, %d other failures%n",
                    SHAPES, r.millis, r.rejected.get(), r.failures.size());
            assertEquals(List.of(), r.failures.stream().limit(10).toList());
        }
    }

    /** With room for the whole burst, nothing is rejected: the snapshots queue for the pool and all succeed. */
    @Test
    void withRoomForTheWholeBurstNothingIsRejected() throws Exception {
        try (RunningAmpere a = new RunningAmpere("ELECTRIC_DB_POOL_SIZE", "20",
                "ELECTRIC_MAX_CONCURRENT_REQUESTS", "{\"initial\": 1000, \"existing\": 1000}")) {
            a.sql("CREATE TABLE items (id int PRIMARY KEY, title text)",
                    "INSERT INTO items SELECT i, 'row ' || i FROM generate_series(1, " + ROWS + ") i");
            Result r = burst(a);
            System.out.printf("burst without rejections: %d shapes in %d ms, %d admission 503s, %d other failures%n",
                    SHAPES, r.millis, r.rejected.get(), r.failures.size());
            assertEquals(List.of(), r.failures.stream().limit(10).toList());
            assertEquals(0, r.rejected.get());
        }
    }

    /** Creation runs in parallel, yet concurrent requests for one definition still get one shape. */
    @Test
    void concurrentIdenticalRequestsShareOneHandle() throws Exception {
        try (RunningAmpere a = new RunningAmpere();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            a.sql("CREATE TABLE items (id int PRIMARY KEY, title text)", "INSERT INTO items VALUES (1, 'one')");
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> rs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                rs.add(threads.submit(() -> {
                    go.await();
                    return a.shape(RunningAmpere.params("table", "items", "offset", "-1", "where", "id > 0"));
                }));
            }
            go.countDown();
            Set<String> handles = new TreeSet<>();
            for (Future<HttpResponse<String>> f : rs) {
                HttpResponse<String> r = f.get();
                assertEquals(200, r.statusCode(), r.body());
                handles.add(r.headers().firstValue("electric-handle").orElseThrow());
            }
            assertEquals(1, handles.size(), handles.toString());
        }
    }

    private record Result(long millis, AtomicInteger rejected, List<String> failures) {}

    private static Result burst(RunningAmpere a) throws Exception {
        HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        AtomicInteger rejected = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        long start;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 1; i <= SHAPES; i++) {
                int k = i;
                done.add(threads.submit(() -> {
                    go.await();
                    fetchShape(a, http, k, rejected, failures);
                    return null;
                }));
            }
            start = System.nanoTime();
            go.countDown();
            for (Future<?> f : done) f.get();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new Result(millis, rejected, List.copyOf(failures));
    }

    /** GET the shape {@code id <= k} at offset -1 until it is served, as the client would. */
    private static void fetchShape(RunningAmpere a, HttpClient http, int k, AtomicInteger rejected,
                                   ConcurrentLinkedQueue<String> failures) throws Exception {
        String where = URLEncoder.encode("id <= " + k, StandardCharsets.UTF_8);
        URI uri = URI.create("http://localhost:" + a.ampere.httpPort() + "/v1/shape?table=items&offset=-1&where=" + where);
        for (int attempt = 1; attempt <= 20; attempt++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 503 && r.body().contains("concurrent_request_limit_exceeded")) {
                rejected.incrementAndGet();
                int seconds = Integer.parseInt(r.headers().firstValue("retry-after").orElseThrow());
                Thread.sleep(Duration.ofSeconds(seconds));
                continue;
            }
            if (r.statusCode() != 200) {
                failures.add("shape " + k + ": " + r.statusCode() + " " + r.body());
                return;
            }
            Set<Integer> ids = new TreeSet<>();
            Matcher m = KEY.matcher(r.body());
            while (m.find()) ids.add(Integer.parseInt(m.group(1)));
            int expected = Math.min(k, ROWS);
            if (ids.size() != expected || !ids.contains(1) || !ids.contains(expected)) {
                failures.add("shape " + k + ": " + ids.size() + " rows, expected " + expected);
            }
            return;
        }
        failures.add("shape " + k + ": still rejected after 20 attempts");
    }
}
