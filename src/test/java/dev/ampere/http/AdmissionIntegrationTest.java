package dev.ampere.http;

import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.ampere.testing.RunningAmpere.params;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Admission control over real HTTP (docs/protocol.md §1.15): a parked live request holds its {@code existing} permit
 * while it waits and gives it back when it ends; a request over a bucket's limit gets Electric's 503; the buckets
 * are separate.
 */
class AdmissionIntegrationTest {

    @Test
    void aRequestOverTheLimitGetsElectrics503UntilAPermitIsFree() throws Exception {
        try (RunningAmpere a = new RunningAmpere("ELECTRIC_MAX_CONCURRENT_REQUESTS", "{\"initial\": 1, \"existing\": 1}",
                "ELECTRIC_LONG_POLL_TIMEOUT", "20000");
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            a.sql("CREATE TABLE items (id int PRIMARY KEY, n int)", "INSERT INTO items VALUES (1, 1)");
            HttpResponse<String> first = a.shape(params("table", "items", "offset", "-1"));
            assertEquals(200, first.statusCode(), first.body());
            String handle = first.headers().firstValue("electric-handle").orElseThrow();
            String offset = first.headers().firstValue("electric-offset").orElseThrow();
            Future<HttpResponse<String>> live = pool.submit(() ->
                    a.shape(params("table", "items", "handle", handle, "offset", offset, "live", "true")));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (a.ampere.shapes().observe(handle).orElseThrow().readersWaiting() == 0) {
                assertTrue(System.nanoTime() < deadline, "the live request never parked");
                LockSupport.parkNanos(1_000_000); // polls an observed state, not a guess
            }

            HttpResponse<String> rejected = a.shape(params("table", "items", "handle", handle, "offset", offset));
            assertEquals(503, rejected.statusCode());
            assertEquals("{\"code\":\"concurrent_request_limit_exceeded\",\"message\":\"Concurrent existing request"
                    + " limit exceeded (limit: 1), please retry\"}", rejected.body());
            int retryAfter = Integer.parseInt(rejected.headers().firstValue("retry-after").orElseThrow());
            assertTrue(retryAfter >= 6 && retryAfter <= 10, "retry-after " + retryAfter);
            assertEquals("no-store", rejected.headers().firstValue("cache-control").orElseThrow());
            assertEquals("no-store", rejected.headers().firstValue("surrogate-control").orElseThrow());
            assertTrue(rejected.headers().firstValue("content-type").orElseThrow().startsWith("application/json"));

            // The other bucket is not affected: a request without a handle is an initial one.
            assertEquals(200, a.shape(params("table", "items", "offset", "-1")).statusCode());

            a.sql("INSERT INTO items VALUES (2, 2)");
            assertEquals(200, live.get(30, TimeUnit.SECONDS).statusCode());
            // The live request's permit is back: the same request is served now.
            HttpResponse<String> served = a.shape(params("table", "items", "handle", handle, "offset", offset));
            assertEquals(200, served.statusCode(), served.body());
        }
    }

    @Test
    void retryAfterIsFiveSecondsPlusOneToFiveOfJitter() {
        java.util.Set<Integer> seen = new java.util.TreeSet<>();
        for (int i = 0; i < 1_000; i++) seen.add(Admission.retryAfterSeconds());
        assertEquals(java.util.Set.of(6, 7, 8, 9, 10), seen);
    }
}
