package dev.ampere.shapes;

import dev.ampere.changes.LogOffset;
import dev.ampere.process.ProcessRef;
import dev.ampere.process.Processes;
import dev.ampere.shapecache.storage.ChronicleStackStorage;
import dev.ampere.shapecache.storage.LogItem;
import dev.ampere.shapecache.storage.Operation;
import dev.ampere.shapecache.storage.ShapeStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The stack's flusher on real Chronicle storage: one pass makes every handed-over shape durable and reports each
 * shape's stored commit, a commit stored after a pass took the shape is handed over again and reported by the next
 * pass, and a deleted shape is skipped without failing the pass.
 */
class ShapeFlusherTest {
    private static final Duration T = Duration.ofSeconds(10);
    @TempDir
    Path dir;
    private ChronicleStackStorage stack;
    private ProcessRef flusher;
    private final BlockingQueue<List<ChangeFeed.Durable>> reports = new LinkedBlockingQueue<>();

    private void start() throws Exception {
        stack = new ChronicleStackStorage(dir, "s", 10L * 1024 * 1024, 16);
        flusher = Processes.spawn("flusher", new ShapeFlusher(reports::add, ShapeMetrics.NONE, Duration.ofMillis(20)));
    }

    @AfterEach
    void stop() {
        if (flusher != null) flusher.stopUninterruptibly(T);
        if (stack != null) stack.close();
    }

    private static List<LogItem> txn(long lsn) {
        byte[] json = ("{\"o\":\"" + lsn + "\"}").getBytes(StandardCharsets.UTF_8);
        return List.of(new LogItem(LogOffset.of(lsn, 0), "\"public\".\"t\"/\"" + lsn + "\"", Operation.INSERT, json));
    }

    /** What the consumer does at a transaction end. */
    private static void stored(ProcessRef flusher, PendingFlush p, long lsn) {
        p.storage().appendLog(txn(lsn));
        if (p.stored(lsn)) assertTrue(ShapeFlusher.handOver(flusher, p));
    }

    private final Map<String, Long> reported = new HashMap<>();
    private int passes;

    /**
     * Merges the passes' reports until every shape in {@code expected} is reported at its commit, and returns the
     * number of passes that took. Hand-overs may be split over passes however the timing falls, never lost.
     */
    private void awaitReported(Map<String, Long> expected) throws InterruptedException {
        while (!expected.entrySet().stream().allMatch(e -> e.getValue().equals(reported.get(e.getKey())))) {
            List<ChangeFeed.Durable> r = reports.poll(T.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(r, "no further report; reported so far " + reported + ", expected " + expected);
            passes++;
            for (ChangeFeed.Durable d : r) {
                Long before = reported.get(d.handle());
                assertTrue(before == null || d.commitLsn() >= before, "a report went back: " + d + " after " + before);
                reported.put(d.handle(), d.commitLsn());
            }
        }
    }

    @Test
    void onePassMakesEveryHandedOverShapeDurableAndReportsItsLastStoredCommit() throws Exception {
        start();
        ShapeStorage a = stack.create("a", new byte[0]);
        ShapeStorage b = stack.create("b", new byte[0]);
        PendingFlush pa = new PendingFlush("a", a);
        PendingFlush pb = new PendingFlush("b", b);
        stored(flusher, pa, 100);
        stored(flusher, pa, 200); // already queued: no second hand-over
        stored(flusher, pb, 150);
        awaitReported(Map.of("a", 200L, "b", 150L));
        assertEquals(LogOffset.of(200, 0), a.durableOffset(), "reported before it was durable");
        assertEquals(LogOffset.of(150, 0), b.durableOffset(), "reported before it was durable");
        assertTrue(passes <= 3, passes + " passes for three transactions of two shapes");
    }

    @Test
    void aCommitStoredAfterThePassTookTheShapeIsHandedOverAgain() throws Exception {
        start();
        ShapeStorage a = stack.create("a", new byte[0]);
        PendingFlush pa = new PendingFlush("a", a);
        stored(flusher, pa, 100);
        awaitReported(Map.of("a", 100L));
        assertEquals(LogOffset.of(100, 0), a.durableOffset());
        stored(flusher, pa, 300);
        awaitReported(Map.of("a", 300L));
        assertEquals(LogOffset.of(300, 0), a.durableOffset());
    }

    @Test
    void aShapeDeletedBeforeThePassIsSkipped() throws Exception {
        start();
        ShapeStorage a = stack.create("a", new byte[0]);
        ShapeStorage b = stack.create("b", new byte[0]);
        PendingFlush pa = new PendingFlush("a", a);
        PendingFlush pb = new PendingFlush("b", b);
        pa.storage().appendLog(txn(100));
        assertTrue(pa.stored(100));
        stack.delete("a");
        ShapeFlusher.handOver(flusher, pa);
        stored(flusher, pb, 100);
        awaitReported(Map.of("b", 100L));
        assertEquals(LogOffset.of(100, 0), b.durableOffset());
        assertTrue(flusher.isAlive(), "the pass failed on the deleted shape: " + flusher.exitReason());
    }
}
