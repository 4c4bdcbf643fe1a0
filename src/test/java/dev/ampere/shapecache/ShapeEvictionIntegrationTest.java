package dev.ampere.shapecache;

import dev.ampere.testing.RunningAmpere;
import dev.ampere.testing.StoredShapes;
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
 * {@code ELECTRIC_MAX_SHAPES} over real HTTP: beyond the limit the least recently used idle shape is evicted (its
 * storage removed, its clients told 409 with a fresh handle), a shape somebody waits on is not, and a recent use
 * saves a shape.
 */
class ShapeEvictionIntegrationTest {

    private static String create(RunningAmpere a, String where) throws Exception {
        HttpResponse<String> r = a.shape(params("table", "items", "offset", "-1", "where", where));
        assertEquals(200, r.statusCode(), r.body());
        return r.headers().firstValue("electric-handle").orElseThrow();
    }

    private static int status(RunningAmpere a, String where, String handle) throws Exception {
        return a.shape(params("table", "items", "offset", "0_inf", "where", where, "handle", handle)).statusCode();
    }

    private static boolean stored(RunningAmpere a, String handle) throws Exception {
        return StoredShapes.present(a.ampere.stack().config().storageDir(), handle);
    }

    /** Waits (bounded) until the shape is gone from the directory: eviction runs off the request path. */
    private static void awaitEvicted(RunningAmpere a, String handle) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (a.ampere.shapes().observe(handle).isPresent()) {
            assertTrue(System.nanoTime() < deadline, "shape " + handle + " was never evicted");
            LockSupport.parkNanos(1_000_000); // polls an observed state, not a guess
        }
    }

    private static void awaitStorageGone(RunningAmpere a, String handle) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (stored(a, handle)) {
            assertTrue(System.nanoTime() < deadline, "the storage of " + handle + " was never removed");
            LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void theLeastRecentlyUsedShapeGoesAndARecentUseSavesOne() throws Exception {
        try (RunningAmpere a = new RunningAmpere("ELECTRIC_MAX_SHAPES", "2")) {
            a.sql("CREATE TABLE items (id int PRIMARY KEY, n int)", "INSERT INTO items VALUES (1, 1), (2, 2)");
            String x = create(a, "n = 1");
            String y = create(a, "n = 2");
            assertEquals(200, status(a, "n = 1", x)); // x is now more recently used than y
            String z = create(a, "n > 0");
            awaitEvicted(a, y);
            assertTrue(a.ampere.shapes().observe(x).isPresent());
            assertTrue(a.ampere.shapes().observe(z).isPresent());
            awaitStorageGone(a, y);
            assertTrue(stored(a, x) && stored(a, z));
            assertEquals(409, status(a, "n = 2", y), "the evicted shape's clients must resync");
            // The 409 created y's definition afresh: it counts, so the least recently used one (x) goes next.
            awaitEvicted(a, x);
            assertTrue(a.ampere.shapes().observe(z).isPresent());
        }
    }

    @Test
    void aShapeSomebodyWaitsOnIsNotEvicted() throws Exception {
        try (RunningAmpere a = new RunningAmpere("ELECTRIC_MAX_SHAPES", "1", "ELECTRIC_LONG_POLL_TIMEOUT", "20000");
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            a.sql("CREATE TABLE items (id int PRIMARY KEY, n int)", "INSERT INTO items VALUES (1, 1)");
            String followed = create(a, "n = 1");
            String offset = a.shape(params("table", "items", "where", "n = 1", "handle", followed, "offset", "0_inf"))
                    .headers().firstValue("electric-offset").orElseThrow();
            Future<HttpResponse<String>> live = pool.submit(() -> a.shape(params("table", "items", "where", "n = 1",
                    "handle", followed, "offset", offset, "live", "true")));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (a.ampere.shapes().observe(followed).orElseThrow().readersWaiting() == 0) {
                assertTrue(System.nanoTime() < deadline, "the live request never parked");
                LockSupport.parkNanos(1_000_000);
            }
            String fresh = create(a, "n > 0"); // over the limit; the followed shape is older but busy
            awaitEvicted(a, fresh);
            assertTrue(a.ampere.shapes().observe(followed).isPresent());
            a.sql("INSERT INTO items VALUES (2, 1)");
            HttpResponse<String> r = live.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"n\":\"1\""), r.body());
        }
    }
}
