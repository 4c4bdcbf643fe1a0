package dev.ampere.shapecache.storage;

import static dev.ampere.shapecache.storage.StorageTestSupport.drain;
import static dev.ampere.shapecache.storage.StorageTestSupport.json;
import static dev.ampere.shapecache.storage.StorageTestSupport.jsonOf;
import static dev.ampere.shapecache.storage.StorageTestSupport.txn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ampere.changes.LogOffset;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many shapes on one machine: descriptors and mappings stay bounded by the queue pool, and an idle shape costs
 * little heap. The CI size is small enough to run in seconds; benchmarks/.../ManyShapesBenchmark runs 100k.
 */
class ManyShapesTest {
    private static final int SHAPES = 1_000;
    private static final int MAX_OPEN = 32;

    @TempDir
    Path dir;

    @Test
    void manyShapesKeepDescriptorsBoundedAndHeapSmall() throws Exception {
        long fds0 = openFds();
        long heap0 = usedHeapAfterGc();
        ChronicleStackStorage stack = new ChronicleStackStorage(dir, "many", 10L << 20, MAX_OPEN);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    for (int i = first; i < SHAPES; i += 4) createShape(stack, i);
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        }
        assertTrue(stack.openLogQueues() <= MAX_OPEN, "open queues " + stack.openLogQueues());
        long fdGrowth = openFds() - fds0;
        assertTrue(fdGrowth <= 3L * MAX_OPEN + 20, "descriptors grew by " + fdGrowth);
        long perShape = (usedHeapAfterGc() - heap0) / SHAPES;
        System.out.printf("%d shapes: %d bytes heap per shape, %d descriptors added%n", SHAPES, perShape, fdGrowth);
        assertTrue(perShape <= 10 * 1024, "heap per idle shape " + perShape);

        for (int i = 0; i < SHAPES; i += 97) assertShape(stack, i);
        stack.close();

        ChronicleStackStorage again = new ChronicleStackStorage(dir, "many", 10L << 20, MAX_OPEN);
        try {
            assertEquals(SHAPES, again.recover().shapes().size());
            for (int i = 1; i < SHAPES; i += 89) assertShape(again, i);
            assertTrue(again.openLogQueues() <= MAX_OPEN);
        } finally {
            again.close();
        }
    }

    private static void createShape(StackStorage stack, int i) throws Exception {
        ShapeStorage s = stack.create("shape-" + i, json("{\"n\":" + i + "}"));
        s.appendSnapshotRow(json("{\"row\":" + i + "}"));
        s.completeSnapshot(new SnapshotInfo(i, i + 1, new long[0]));
        s.appendLog(txn(1000 + i, 3, 300));
        if (i % 10 == 0) s.flush(); // fsync cost is not what this test is about; exercise it on some shapes
    }

    private static void assertShape(StackStorage stack, int i) throws Exception {
        ShapeStorage s = stack.get("shape-" + i).orElseThrow();
        assertEquals(List.of("{\"row\":" + i + "}"), drain(s.readSnapshotChunk(0)));
        assertEquals(jsonOf(txn(1000 + i, 3, 300)), drain(s.readLog(LogOffset.BEFORE_ALL, LogOffset.LAST)));
    }

    private static long openFds() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
