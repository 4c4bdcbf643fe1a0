package dev.ampere.http;

import dev.ampere.shapes.VisibilityBarriers;
import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.ampere.testing.RunningAmpere.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subset reply goes out only once its shape's log holds every change its snapshot saw (VisibilityBarriers): a
 * client that takes the subset's metadata as evidence that a transaction has reached it (TanStack DB completes a
 * write when its txid is visible in a snapshot) finds the transaction's change in the stream, even when the change
 * took its row out of the subset and the replication stream is busy with a large transaction ahead of it.
 */
class SubsetVisibilityTest {
    private static RunningAmpere a;

    @BeforeAll
    static void start() throws Exception {
        a = new RunningAmpere();
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
    }

    @Test
    void aSubsetIsAnsweredOnlyOnceTheLogHoldsWhatItsSnapshotSaw() throws Exception {
        a.sql("CREATE TABLE tasks (id int PRIMARY KEY, priority int)",
                "INSERT INTO tasks SELECT g, g * 10 FROM generate_series(1, 10) g",
                "CREATE TABLE bulk (id int PRIMARY KEY, v text)");
        // A shape on bulk too, so that its large transaction is routed, encoded and stored ahead of the update.
        assertEquals(200, a.shape(params("table", "bulk", "offset", "-1")).statusCode());
        String[] cursor = catchUp("tasks");
        for (int round = 1; round <= 3; round++) {
            a.sql("INSERT INTO bulk SELECT g, repeat('x', 100) FROM generate_series(" + (round * 100_000) + ", "
                            + (round * 100_000 + 60_000) + ") g",
                    "UPDATE tasks SET priority = " + round + " WHERE id = " + round);
            HttpResponse<String> subset = a.shape(params("table", "tasks", "offset", cursor[1], "handle", cursor[0],
                    "subset__where", "priority >= 20", "subset__order_by", "id"));
            assertEquals(200, subset.statusCode(), subset.body());
            assertTrue(!subset.body().contains("\"id\":\"" + round + "\""), "row " + round + " left the subset");
            // The snapshot saw the update (it committed before the request): the shape's log has it already.
            HttpResponse<String> log = a.shape(params("table", "tasks", "offset", cursor[1], "handle", cursor[0]));
            assertEquals(200, log.statusCode(), log.body());
            assertTrue(log.body().contains("\"value\":{\"id\":\"" + round + "\",\"priority\":\"" + round + "\"}"),
                    "round " + round + ": the update is in the log when the subset is answered: " + log.body());
            cursor = follow("tasks", cursor);
        }
    }

    @Test
    void markersOfOtherInstancesAndOtherPrefixesAreIgnored() {
        VisibilityBarriers one = new VisibilityBarriers(Duration.ofSeconds(1));
        VisibilityBarriers other = new VisibilityBarriers(Duration.ofSeconds(1));
        byte[] foreign = "abc:1:handle".getBytes(StandardCharsets.UTF_8);
        assertTrue(one.marker(VisibilityBarriers.PREFIX, foreign).isEmpty());
        assertTrue(one.marker("someone.else", foreign).isEmpty());
        assertTrue(other.marker(VisibilityBarriers.PREFIX, "not a token".getBytes(StandardCharsets.UTF_8)).isEmpty());
    }

    /** The handle and offset after following the shape from the start to up-to-date. */
    private static String[] catchUp(String table) throws Exception {
        HttpResponse<String> first = a.shape(params("table", table, "offset", "-1"));
        assertEquals(200, first.statusCode(), first.body());
        return follow(table, new String[]{header(first, "electric-handle"), header(first, "electric-offset")});
    }

    private static String[] follow(String table, String[] cursor) throws Exception {
        while (true) {
            HttpResponse<String> r = a.shape(params("table", table, "offset", cursor[1], "handle", cursor[0]));
            assertEquals(200, r.statusCode(), r.body());
            cursor = new String[]{cursor[0], header(r, "electric-offset")};
            if (r.headers().firstValue("electric-up-to-date").isPresent()) return cursor;
        }
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + ": " + r.headers()));
    }
}
