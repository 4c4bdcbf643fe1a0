package dev.ampere.shapecache;

import dev.ampere.process.ProcessRef;
import dev.ampere.shapes.DynamicConsumerSupervisor;
import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.ampere.testing.RunningAmpere.params;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Idle shapes over real HTTP and a real slot, with consumers that hibernate after 50 ms: a hibernated consumer
 * holds no thread, yet its shape stays (hibernating is not exiting), its readers keep waiting on its state, the
 * next change wakes it and lands in the log exactly once, and a removal or a truncate reaches it.
 */
class ShapeHibernationIntegrationTest {
    private static RunningAmpere a;

    @BeforeAll
    static void start() throws Exception {
        a = new RunningAmpere("ELECTRIC_SHAPE_HIBERNATE_AFTER", "50", "ELECTRIC_LONG_POLL_TIMEOUT", "20000",
                "ELECTRIC_ENABLE_INTEGRATION_TESTING", "true");
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
    }

    private static ProcessRef consumer(String handle) {
        return a.ampere.stack().registry().whereis(DynamicConsumerSupervisor.consumerName(handle)).orElseThrow();
    }

    /** Waits (bounded) for the consumer to hibernate: it does so 50 ms after its last message. */
    private static void awaitHibernating(ProcessRef p) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!p.isHibernating()) {
            assertTrue(p.isAlive(), p + " exited instead of hibernating: " + p.exitReason());
            assertTrue(System.nanoTime() < deadline, p + " did not hibernate");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    private static String header(HttpResponse<String> r, String name) {
        return r.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " in " + r.headers()));
    }

    private static CompletableFuture<HttpResponse<String>> async(Map<String, String> p) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return a.shape(p);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    private static int count(String body, String needle) {
        return body.split(java.util.regex.Pattern.quote(needle), -1).length - 1;
    }

    @Test
    void anIdleShapeHibernatesAndChangesWakeItWithItsDataIntact() throws Exception {
        a.sql("CREATE TABLE idle (id int PRIMARY KEY, v text)", "INSERT INTO idle VALUES (1, 'a')");
        HttpResponse<String> snap = a.shape(params("table", "idle", "offset", "-1"));
        assertEquals(200, snap.statusCode(), snap.body());
        String handle = header(snap, "electric-handle");
        String offset = header(snap, "electric-offset");
        assertTrue(snap.body().contains("\"v\":\"a\""), snap.body());
        ProcessRef consumer = consumer(handle);

        for (int round = 2; round <= 4; round++) {
            awaitHibernating(consumer);
            // A reader waits on the shape's state while its consumer has no thread.
            CompletableFuture<HttpResponse<String>> live = async(params("table", "idle", "offset", offset,
                    "handle", handle, "live", "true"));
            a.sql("INSERT INTO idle VALUES (" + round + ", 'v" + round + "')");
            HttpResponse<String> r = live.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            if (!r.body().contains("\"v\":\"v" + round + "\"")) { // the wait ended before the change: ask again
                r = a.shape(params("table", "idle", "offset", offset, "handle", handle, "live", "true"));
            }
            assertEquals(1, count(r.body(), "\"v\":\"v" + round + "\""), r.body());
            assertEquals(1, count(r.body(), "\"operation\":\"insert\""), "only the new row: " + r.body());
            offset = header(r, "electric-offset");
            assertSame(consumer, consumer(handle), "the same process, woken, not a new one");
        }

        // The whole log, read again from the start, has each row once.
        awaitHibernating(consumer);
        HttpResponse<String> log = a.shape(params("table", "idle", "offset", "0_inf", "handle", handle));
        assertEquals(200, log.statusCode(), log.body());
        for (int round = 2; round <= 4; round++) assertEquals(1, count(log.body(), "\"v\":\"v" + round + "\""), log.body());
        assertTrue(a.ampere.shapes().byHandle(handle).isPresent(), "a hibernated shape is still a shape");
    }

    @Test
    void removingAHibernatedShapeEndsItAndItsReaders() throws Exception {
        a.sql("CREATE TABLE gone (id int PRIMARY KEY)", "INSERT INTO gone VALUES (1)");
        HttpResponse<String> snap = a.shape(params("table", "gone", "offset", "-1"));
        String handle = header(snap, "electric-handle");
        String offset = header(snap, "electric-offset");
        ProcessRef consumer = consumer(handle);
        awaitHibernating(consumer);
        CompletableFuture<HttpResponse<String>> live = async(params("table", "gone", "offset", offset,
                "handle", handle, "live", "true"));

        assertEquals(202, a.send("DELETE", params("handle", handle)).statusCode());
        assertTrue(consumer.awaitExit(Duration.ofSeconds(20)).isPresent(), "the removal woke the consumer, which ended");
        HttpResponse<String> r = live.get(30, TimeUnit.SECONDS);
        assertEquals(409, r.statusCode(), "a reader waiting on the hibernated shape learns it ended: " + r.body());
        assertEquals(409, a.shape(params("table", "gone", "offset", offset, "handle", handle)).statusCode());
    }

    @Test
    void aTruncateWakesAHibernatedShapeWhichRotates() throws Exception {
        a.sql("CREATE TABLE trunc (id int PRIMARY KEY)", "INSERT INTO trunc VALUES (1)");
        HttpResponse<String> snap = a.shape(params("table", "trunc", "offset", "-1"));
        String handle = header(snap, "electric-handle");
        String offset = header(snap, "electric-offset");
        ProcessRef consumer = consumer(handle);
        awaitHibernating(consumer);

        a.sql("TRUNCATE trunc");
        assertTrue(consumer.awaitExit(Duration.ofSeconds(20)).isPresent(), "the truncate woke the consumer, which ended");
        HttpResponse<String> r = a.shape(params("table", "trunc", "offset", offset, "handle", handle));
        assertEquals(409, r.statusCode(), r.body());
        assertNotEquals(handle, header(r, "electric-handle"));
    }
}
