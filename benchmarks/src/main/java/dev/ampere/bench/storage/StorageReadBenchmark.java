package dev.ampere.bench.storage;

import dev.ampere.changes.LogOffset;
import dev.ampere.shapecache.storage.ChronicleStackStorage;
import dev.ampere.shapecache.storage.ItemCursor;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.SnapshotInfo;
import dev.ampere.shapecache.storage.StackStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Main-log reads: the whole 1M-item log chunk by chunk, as a client catching up would (warm: queue open and
 * pages cached; cold: storage reopened, log state reloaded, and the shape's files evicted from the page cache),
 * plus the two small reads every live request does: the last few items of the big log (a seek by offset) and one
 * small chunk of a small shape. Scores: items per second for the full reads, reads per second for the small ones.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StorageReadBenchmark {
    static final int ITEMS = 1_000_000;
    static final int TX_SIZE = 50;

    private Path dir;
    private ChronicleStackStorage stack;
    private ShapeStorage big;
    private ShapeStorage small;
    private LogOffset tailFrom;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        dir = Files.createTempDirectory("ampere-read-bench");
        stack = new ChronicleStackStorage(dir, "bench");
        big = stack.create("big-1", new byte[] {'{', '}'});
        big.completeSnapshot(new SnapshotInfo(1, 2, new long[0]));
        byte[] json = StorageFixtures.changeJson(987_654_321L, 0);
        for (long tx = 1; tx <= ITEMS / TX_SIZE; tx++) big.appendLog(StorageFixtures.transaction(tx * 100, TX_SIZE, json));
        big.flush();
        tailFrom = LogOffset.of((ITEMS / TX_SIZE) * 100L, 2L * (TX_SIZE - 11)); // the last 10 items
        small = stack.create("small-1", new byte[] {'{', '}'});
        small.completeSnapshot(new SnapshotInfo(1, 2, new long[0]));
        small.appendLog(StorageFixtures.transaction(100, 20, json));
        small.flush();
        System.out.printf("log: %d items, %d chunks, item %d bytes%n", ITEMS, big.chunkBoundaries().size() + 1,
                json.length);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        stack.close();
        StorageFixtures.deleteTree(dir);
    }

    /** Reopens storage and evicts the big log from the page cache before each cold read. */
    @State(Scope.Thread)
    public static class Cold {
        ShapeStorage shape;
        ChronicleStackStorage reopened;

        @Setup(Level.Invocation)
        public void reopen(StorageReadBenchmark b) throws Throwable {
            b.stack.close();
            StorageFixtures.evictFromPageCache(b.dir);
            reopened = new ChronicleStackStorage(b.dir, "bench");
            StackStorage.Recovery r = reopened.recover();
            if (r.shapes().size() != 2) throw new IllegalStateException("recovery lost shapes: " + r);
            b.stack = reopened;
            b.big = reopened.get("big-1").orElseThrow();
            b.small = reopened.get("small-1").orElseThrow();
            shape = b.big;
        }
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long readWholeLogWarm() throws IOException {
        return readAll(big);
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long readWholeLogCold(Cold cold) throws IOException {
        return readAll(cold.shape);
    }

    @Benchmark
    public long readLastTenItemsOfBigLog() throws IOException {
        return drain(big.readLog(tailFrom, big.chunkEnd(tailFrom)));
    }

    @Benchmark
    public long readSmallShapeChunk() throws IOException {
        return drain(small.readLog(LogOffset.LAST_BEFORE_REAL_OFFSETS, small.chunkEnd(LogOffset.LAST_BEFORE_REAL_OFFSETS)));
    }

    private static long readAll(ShapeStorage s) throws IOException {
        long bytes = 0;
        LogOffset at = LogOffset.LAST_BEFORE_REAL_OFFSETS;
        LogOffset latest = s.latestOffset();
        while (at.isBefore(latest)) {
            LogOffset end = s.chunkEnd(at);
            bytes += drain(s.readLog(at, end));
            at = end;
        }
        return bytes;
    }

    private static long drain(ItemCursor c) throws IOException {
        long bytes = 0;
        try (c) {
            while (c.advance() == ItemCursor.Step.ITEM) bytes += c.jsonLength();
        }
        return bytes;
    }
}
