package dev.ampere.bench.storage;

import dev.ampere.shapecache.storage.ChronicleStackStorage;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.SnapshotInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Main-log append throughput: transactions of 50 items of ~300 bytes into one shape, without and with a flush
 * (one fsync) per transaction. Scores are items per second; multiply by the item size (printed at setup) for
 * bytes per second.
 *
 * <p>One benchmark thread, as in production (one writer per shape).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StorageAppendBenchmark {
    static final int BATCH = 50;

    private Path dir;
    private ChronicleStackStorage stack;
    private ShapeStorage shape;
    private byte[] json;
    private long tx;

    @Setup
    public void setup() throws Exception {
        dir = Files.createTempDirectory("ampere-append-bench");
        stack = new ChronicleStackStorage(dir, "bench");
        shape = stack.create("append-1", new byte[] {'{', '}'});
        shape.completeSnapshot(new SnapshotInfo(1, 2, new long[0]));
        json = StorageFixtures.changeJson(123_456_789L, 0);
        tx = 1_000_000;
        System.out.println("item JSON bytes: " + json.length);
    }

    @TearDown
    public void tearDown() throws Exception {
        stack.close();
        StorageFixtures.deleteTree(dir);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object appendBatch() {
        return shape.appendLog(StorageFixtures.transaction(tx++, BATCH, json));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object appendBatchAndFlush() throws Exception {
        shape.appendLog(StorageFixtures.transaction(tx++, BATCH, json));
        return shape.flush();
    }
}
