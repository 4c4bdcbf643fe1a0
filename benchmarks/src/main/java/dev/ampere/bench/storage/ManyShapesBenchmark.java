package dev.ampere.bench.storage;

import dev.ampere.changes.LogOffset;
import dev.ampere.shapecache.storage.ChronicleStackStorage;
import dev.ampere.shapecache.storage.ItemCursor;
import dev.ampere.shapecache.storage.LogItem;
import dev.ampere.shapecache.storage.Operation;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.SnapshotInfo;
import dev.ampere.shapecache.storage.StackStorage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Scale check for shape storage (not JMH: one long run): creates N shapes, each with a one-chunk snapshot and a
 * few log items, then reads a random sample back, restarts (recovery listing) and reads again. Reports time,
 * open file descriptors (/proc/self/fd), memory mappings (/proc/self/maps) and retained heap per shape.
 *
 * <p>Run: {@code java --enable-preview -cp target/bench/benchmarks.jar dev.ampere.bench.storage.ManyShapesBenchmark
 * [shapes=100000] [threads=4] [dir] [recover]}; with a dir the data is kept, and {@code recover} re-measures only the
 * restart on it. Shapes are created by {@code threads} writers (each shape has one writer,
 * as in production); each shape is flushed once, as the first acknowledgement after its first transaction would.
 */
public final class ManyShapesBenchmark {
    private ManyShapesBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("ampere-many-shapes");
        System.out.printf("shapes=%d threads=%d dir=%s maxOpenQueues=%d maxHeap=%d MB%n", n, threads, dir,
                ChronicleStackStorage.DEFAULT_MAX_OPEN_QUEUES, Runtime.getRuntime().maxMemory() >> 20);
        long heap0 = usedHeapAfterGc();
        if (args.length > 3 && args[3].equals("recover")) { // re-measure restart on a kept directory
            recoverAndRead(dir, n, heap0);
            return;
        }
        long t0 = System.nanoTime();
        StackStorage stack = new ChronicleStackStorage(dir, "bench");
        byte[] row = json("{\"key\":\"\\\"public\\\".\\\"t\\\"/\\\"1\\\"\",\"value\":{\"id\":\"1\",\"title\":\"hello\"},"
                + "\"headers\":{\"operation\":\"insert\",\"relation\":[\"public\",\"t\"]}}");
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        StackStorage st = stack;
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(threads)) {
            List<java.util.concurrent.Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                        createShape(st, i, row);
                        if ((i + 1) % 10_000 == 0) report("created ~" + (i + 1), t0, st);
                    }
                    return null;
                }));
            }
            for (var w : workers) w.get();
        }
        report("created all", t0, stack);
        long heap1 = usedHeapAfterGc();
        System.out.printf("retained heap: %.0f bytes per shape (%d MB total)%n", (heap1 - heap0) / (double) n,
                (heap1 - heap0) >> 20);
        long t1 = System.nanoTime();
        int read = readSample(stack, n, 10_000);
        report("read " + read + " random items", t1, stack);
        stack.close();
        recoverAndRead(dir, n, heap0);
        if (args.length <= 2) deleteTree(dir);
    }

    private static void recoverAndRead(Path dir, int n, long heap0) throws Exception {
        long t2 = System.nanoTime();
        StackStorage stack = new ChronicleStackStorage(dir, "bench");
        StackStorage.Recovery rec = stack.recover();
        report("recovered " + rec.shapes().size() + " (deleted " + rec.deletedHandles().size() + ")", t2, stack);
        rec = null;
        long heapRecovered = usedHeapAfterGc();
        System.out.printf("retained heap after recovery, no queue open: %.0f bytes per shape%n",
                (heapRecovered - heap0) / (double) n);
        long t3 = System.nanoTime();
        int read = readSample(stack, n, 10_000);
        report("read " + read + " random items after restart (cold queues)", t3, stack);
        long heap2 = usedHeapAfterGc();
        System.out.printf("retained heap with %d queues open: %.0f bytes per shape%n", stack.openLogQueues(),
                (heap2 - heap0) / (double) n);
        stack.close();
    }

    private static void createShape(StackStorage stack, int i, byte[] row) throws IOException {
        ShapeStorage s = stack.create(handle(i), json("{\"table\":\"t\",\"where\":\"id = " + i + "\"}"));
        for (int r = 0; r < 3; r++) s.appendSnapshotRow(row);
        s.completeSnapshot(new SnapshotInfo(100, 101, new long[0]));
        s.appendLog(items(1000 + i, 3));
        s.flush();
    }

    private static int readSample(StackStorage stack, int n, int samples) throws IOException {
        SplittableRandom rnd = new SplittableRandom(42);
        int items = 0;
        for (int k = 0; k < samples; k++) {
            ShapeStorage s = stack.get(handle(rnd.nextInt(n))).orElseThrow();
            try (ItemCursor c = s.readSnapshotChunk(0)) {
                while (c.advance() == ItemCursor.Step.ITEM) items++;
            }
            try (ItemCursor c = s.readLog(LogOffset.LAST_BEFORE_REAL_OFFSETS, s.chunkEnd(LogOffset.LAST_BEFORE_REAL_OFFSETS))) {
                while (c.advance() == ItemCursor.Step.ITEM) items++;
            }
        }
        return items;
    }

    static String handle(int i) {
        return (31L * i + 7) + "-" + (1_700_000_000_000L + i);
    }

    static List<LogItem> items(long tx, int count) {
        List<LogItem> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new LogItem(LogOffset.of(tx, 2L * i), "\"public\".\"t\"/\"" + i + "\"", Operation.UPDATE,
                    json("{\"key\":\"\\\"public\\\".\\\"t\\\"/\\\"" + i + "\\\"\",\"value\":{\"id\":\"" + i
                            + "\",\"title\":\"changed\"},\"headers\":{\"operation\":\"update\",\"relation\":[\"public\",\"t\"],"
                            + "\"lsn\":\"" + tx + "\",\"op_position\":" + 2 * i + ",\"txids\":[1]}}")));
        }
        return out;
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static synchronized void report(String what, long since, StackStorage stack) throws IOException {
        System.out.printf("%-55s %8.1f s  fds=%d  maps=%d  openQueues=%d  heapUsed=%d MB%n", what,
                (System.nanoTime() - since) / 1e9, count("/proc/self/fd"), lines("/proc/self/maps"),
                stack.openLogQueues(), (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
    }

    private static long count(String dir) throws IOException {
        try (Stream<Path> s = Files.list(Path.of(dir))) {
            return s.count();
        }
    }

    private static long lines(String file) throws IOException {
        try (Stream<String> s = Files.lines(Path.of(file))) {
            return s.count();
        }
    }

    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
