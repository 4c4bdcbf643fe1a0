package dev.ampere.http;

import dev.ampere.stack.StackEvent;
import dev.ampere.testing.EventLog;
import dev.ampere.testing.RunningAmpere;
import dev.ampere.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.ampere.testing.RunningAmpere.params;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A lost database connection restarts the replication branch, and every consumer stops with it; the shapes are
 * kept on disk and recovered under their handles. A client whose live request was waiting meanwhile must not
 * notice: its request carries on with the recovered shape and returns the next change, with the same handle, and
 * later requests by that handle are served, not told to refetch (docs/protocol.md §3.10).
 */
class ReconnectInvisibleTest {
    private RunningAmpere a;
    private ExecutorService pool;

    @BeforeEach
    void start() throws Exception {
        a = new RunningAmpere("ELECTRIC_LONG_POLL_TIMEOUT", "40000");
        a.sql("CREATE TABLE items (id int PRIMARY KEY, title text)", "INSERT INTO items VALUES (1, 'one')");
        pool = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterEach
    void stop() throws Exception {
        pool.close();
        a.close();
    }

    @Test
    void aLiveRequestWaitingAcrossALostConnectionGetsTheNextChangeWithTheSameHandle() throws Exception {
        HttpResponse<String> snap = a.shape(params("table", "items", "offset", "-1"));
        assertEquals(200, snap.statusCode(), snap.body());
        String handle = snap.headers().firstValue("electric-handle").orElseThrow();
        HttpResponse<String> caughtUp = a.shape(params("table", "items", "handle", handle, "offset", "0_inf"));
        String offset = caughtUp.headers().firstValue("electric-offset").orElseThrow();

        Future<HttpResponse<String>> live = pool.submit(() ->
                a.shape(params("table", "items", "handle", handle, "offset", offset, "live", "true")));
        try (EventLog log = new EventLog(a.ampere.stack().events())) {
            // The request is parked once the shape is followed live; losing the lock connection restarts the tree.
            awaitParked(handle);
            terminate("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid::int4 = "
                    + "hashtext('electric_slot_" + a.streamId + "')");
            assertEquals("lock connection", log.await(StackEvent.ConnectionLost.class, 30).what());
            a.sql("INSERT INTO items VALUES (2, 'written while Ampere reconnects')");
            log.await(StackEvent.Ready.class, 30);
        }

        HttpResponse<String> r = live.get(40, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(handle, r.headers().firstValue("electric-handle").orElseThrow());
        assertTrue(r.body().contains("written while Ampere reconnects"), r.body());

        String next = r.headers().firstValue("electric-offset").orElseThrow();
        HttpResponse<String> after = a.shape(params("table", "items", "handle", handle, "offset", next));
        assertEquals(200, after.statusCode(), after.body());
        assertEquals(handle, after.headers().firstValue("electric-handle").orElseThrow());
    }

    @Test
    void aShapeThatIsReallyGoneIsStillA409() throws Exception {
        HttpResponse<String> snap = a.shape(params("table", "items", "offset", "-1"));
        String handle = snap.headers().firstValue("electric-handle").orElseThrow();
        String offset = a.shape(params("table", "items", "handle", handle, "offset", "0_inf"))
                .headers().firstValue("electric-offset").orElseThrow();
        Future<HttpResponse<String>> live = pool.submit(() ->
                a.shape(params("table", "items", "handle", handle, "offset", offset, "live", "true")));
        awaitParked(handle);
        a.sql("TRUNCATE items");
        HttpResponse<String> r = live.get(40, TimeUnit.SECONDS);
        assertEquals(409, r.statusCode(), r.body());
    }

    /** Waits until one live request is parked on the shape (bounded; the state is observed, not guessed). */
    private void awaitParked(String handle) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            var shape = a.ampere.shapes().byHandle(handle);
            if (shape.isPresent() && shape.get().readersWaiting() == 1) return;
            assertTrue(System.nanoTime() < deadline, "the live request never parked");
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // polls an observed state, not a guess
        }
    }

    private void terminate(String pidQuery) throws Exception {
        try (Connection c = TestDatabase.connect(a.database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(pidQuery)) {
            assertTrue(rs.next(), "no backend for " + pidQuery);
            String pid = rs.getString(1);
            try (Statement k = c.createStatement()) {
                k.execute("SELECT pg_terminate_backend(" + pid + ")");
            }
        }
    }
}
