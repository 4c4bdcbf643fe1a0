package dev.ampere.bench.shapes;

import dev.ampere.changes.LogOffset;
import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.TableInfo;
import dev.ampere.process.AutoShutdown;
import dev.ampere.process.ChildSpec;
import dev.ampere.process.Mailbox;
import dev.ampere.process.ProcessRef;
import dev.ampere.process.ProcessRegistry;
import dev.ampere.process.Processes;
import dev.ampere.process.RestartType;
import dev.ampere.process.Supervisor;
import dev.ampere.shapecache.storage.ChronicleStackStorage;
import dev.ampere.shapecache.storage.ItemCursor;
import dev.ampere.shapecache.storage.LogItem;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.SnapshotInfo;
import dev.ampere.shapecache.storage.StackStorage;
import dev.ampere.shapes.ChangeFeed;
import dev.ampere.shapes.Consumer;
import dev.ampere.shapes.ConsumerMessages;
import dev.ampere.shapes.DynamicConsumerSupervisor;
import dev.ampere.shapes.ShapeDefinition;
import dev.ampere.shapes.ShapeState;
import dev.ampere.shapes.ShapeSubscription;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Heap per idle shape on the consumer side (not JMH: one run per mode, in its own JVM, so each heap figure starts
 * clean). Starts N shapes' consumers under a real DynamicConsumerSupervisor, the way the ShapeCache starts a
 * recovered shape (a {@link ShapeState}, a known snapshot, a registered name, the bounded mailbox), lets them go
 * idle, and reports the live heap after full GCs per shape, then how long stopping them all takes.
 *
 * <p>Modes:
 * <ul>
 *   <li>{@code none}: the shapes' states and storage objects only, no process: the fixture's own cost;</li>
 *   <li>{@code nested}: the layout before hibernation: a supervisor per shape with its consumer as significant
 *   child, both parked (two parked virtual threads per shape);</li>
 *   <li>{@code parked}: each consumer directly under the DynamicConsumerSupervisor, never hibernating (one parked
 *   virtual thread per shape);</li>
 *   <li>{@code hibernated}: the same, hibernating after 1 ms idle (the real default is 30 s): no thread.</li>
 * </ul>
 *
 * <p>Storage: {@code minimal} (the default) is a per-shape object with the change-notification part of
 * {@link ShapeStorage} and nothing else, the same in every mode, so the difference between modes is the processes';
 * {@code chronicle} creates each shape in a real {@link ChronicleStackStorage} (a directory and metadata per shape,
 * no queue left open: what an idle shape holds). Not included in either: the collector's routing entry and filter
 * index, the ShapeTable's two map entries and a per-shape where clause (all shapes share one definition here).
 *
 * <p>Run: {@code java --enable-preview -Xmx3g -cp target/bench/benchmarks.jar
 * dev.ampere.bench.shapes.IdleShapesBenchmark [none|nested|parked|hibernated] [shapes=100000] [minimal|chronicle]}
 * (with chronicle, Chronicle's JVM flags of scripts/lib/env.sh too).
 */
public final class IdleShapesBenchmark {
    private IdleShapesBenchmark() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "hibernated";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        String storageKind = args.length > 2 ? args[2] : "minimal";
        if (!List.of("none", "nested", "parked", "hibernated").contains(mode)) {
            throw new IllegalArgumentException("mode must be none, nested, parked or hibernated: " + mode);
        }
        System.out.printf("mode=%s shapes=%d storage=%s maxHeap=%d MB%n", mode, n, storageKind,
                Runtime.getRuntime().maxMemory() >> 20);

        ShapeDefinition definition = ShapeDefinition.create(table(), Optional.of("owner = 1"), Map.of(),
                Optional.empty(), ShapeDefinition.Replica.DEFAULT, ShapeDefinition.LogMode.FULL);
        Path dir = storageKind.equals("chronicle") ? Files.createTempDirectory("ampere-idle-shapes") : null;
        StackStorage stack = dir == null ? null : new ChronicleStackStorage(dir, "bench");
        ProcessRegistry registry = new ProcessRegistry();
        Duration hibernateAfter = mode.equals("hibernated") ? Duration.ofMillis(1) : Duration.ofDays(1);
        DynamicConsumerSupervisor.Deps deps = new DynamicConsumerSupervisor.Deps(registry, new NoFeed(), null,
                "unused", hibernateAfter, dev.ampere.shapes.ShapeMetrics.NONE);
        ProcessRef consumers = Processes.spawn("dynamic_consumer_supervisor",
                Supervisor.dynamic("dynamic_consumer_supervisor").intensity(1_000, Duration.ofSeconds(5)).build());
        Supervisor.children(consumers, Duration.ofSeconds(30)); // started
        Optional<SnapshotInfo> snapshot = Optional.of(new SnapshotInfo(100, 101, new long[0]));

        long heap0 = usedHeapAfterGc();
        long t0 = System.nanoTime();
        List<ShapeState> states = new ArrayList<>(n);
        List<ProcessRef> refs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String handle = (31L * i + 7) + "-" + (1_700_000_000_000L + i);
            ShapeStorage s = stack == null ? new MinimalStorage(handle)
                    : stack.create(handle, ("{\"table\":\"items\",\"where\":\"owner = " + i + "\"}").getBytes(StandardCharsets.UTF_8));
            ShapeState state = new ShapeState(handle, definition, s, LogOffset.LAST_BEFORE_REAL_OFFSETS,
                    ShapeState.Snapshot.READY);
            switch (mode) {
                case "none" -> states.add(state);
                case "nested" -> refs.add(Supervisor.startChild(consumers, nestedSpec(deps, state, snapshot),
                        Duration.ofSeconds(30)));
                default -> refs.add(DynamicConsumerSupervisor.startShape(consumers, deps, state, snapshot,
                        null)); // recovered shapes start no snapshot, so no publication set-up
            }
            if ((i + 1) % 20_000 == 0) System.out.printf("  started %d (%.1f s)%n", i + 1, (System.nanoTime() - t0) / 1e9);
        }
        System.out.printf("started %d in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        if (mode.equals("hibernated")) {
            for (ProcessRef r : refs) {
                while (!r.isHibernating()) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            System.out.println("all consumers hibernated");
        }

        long heap1 = usedHeapAfterGc();
        System.out.printf("RESULT mode=%s storage=%s shapes=%d heap per idle shape: %.0f bytes (%d MB in all)%n",
                mode, storageKind, n, (heap1 - heap0) / (double) n, (heap1 - heap0) >> 20);
        if (Boolean.getBoolean("idle.hold")) { // time for a class histogram: jcmd <pid> GC.class_histogram
            System.out.println("holding for 60 s; pid " + ProcessHandle.current().pid());
            Thread.sleep(60_000);
        }

        if (mode.equals("hibernated")) {
            // Every consumer gets one message (a stream restart changes nothing in an idle shape): each is woken,
            // handles it and hibernates again.
            long tw = System.nanoTime();
            for (ProcessRef r : refs) r.send(new ConsumerMessages.StreamRestarted());
            for (ProcessRef r : refs) {
                while (!r.isHibernating()) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            System.out.printf("woke all %d and saw them hibernate again in %.2f s%n", n, (System.nanoTime() - tw) / 1e9);
        }
        long t2 = System.nanoTime();
        consumers.stopUninterruptibly(Duration.ofMinutes(5));
        System.out.printf("stopped all in %.2f s%n", (System.nanoTime() - t2) / 1e9);
        if (states.size() + refs.size() != n) throw new IllegalStateException("lost track of the shapes");
        if (stack != null) {
            stack.close();
            deleteTree(dir);
        }
    }

    /** The per-shape layout before hibernation: a one_for_one supervisor stopping when its consumer exits. */
    private static ChildSpec nestedSpec(DynamicConsumerSupervisor.Deps deps, ShapeState state,
                                        Optional<SnapshotInfo> snapshot) {
        ChildSpec consumer = ChildSpec.of("consumer", () -> new Consumer(state, snapshot, deps.feed(),
                        c -> { throw new IllegalStateException("no snapshot for a recovered shape"); },
                        deps.hibernateAfter()))
                .withRestart(RestartType.TEMPORARY)
                .asSignificant()
                .withMailbox(() -> Mailbox.bounded(64))
                .registeredAs(deps.registry(), DynamicConsumerSupervisor.consumerName(state.handle()));
        return Supervisor.builder(DynamicConsumerSupervisor.id(state.handle()))
                .autoShutdown(AutoShutdown.ANY_SIGNIFICANT)
                .child(consumer)
                .asChild()
                .withRestart(RestartType.TEMPORARY);
    }

    private static TableInfo table() {
        List<ColumnInfo> cols = List.of(
                new ColumnInfo("id", 1, 20, "int8", 20, 'b', 0, -1, true, 0, false),
                new ColumnInfo("owner", 2, 23, "int4", 23, 'b', 0, -1, false, -1, false),
                new ColumnInfo("payload", 3, 25, "text", 25, 'b', 0, -1, false, -1, false));
        return new TableInfo("public", "items", 16384, cols, List.of("id"), 'f', 'r');
    }

    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** The collector's side, doing nothing: routing is not measured here. */
    private static final class NoFeed implements ChangeFeed {
        @Override
        public void subscribe(ShapeSubscription subscription) {
        }

        @Override
        public boolean stored(dev.ampere.shapes.PendingFlush pending) {
            return true;
        }
    }

    /** Change notification only, as an idle shape's storage needs; the data methods are never called here. */
    private static final class MinimalStorage implements ShapeStorage {
        private final String handle;
        private volatile long version;

        MinimalStorage(String handle) {
            this.handle = handle;
        }

        @Override
        public String handle() {
            return handle;
        }

        @Override
        public void appendSnapshotRow(byte[] json, int off, int len) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void completeSnapshot(SnapshotInfo info) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SnapshotState snapshotState() {
            throw new UnsupportedOperationException();
        }

        @Override
        public ItemCursor readSnapshotChunk(int k) {
            throw new UnsupportedOperationException();
        }

        @Override
        public LogOffset appendLog(List<LogItem> items) {
            throw new UnsupportedOperationException();
        }

        @Override
        public LogOffset flush() {
            throw new UnsupportedOperationException();
        }

        @Override
        public LogOffset latestOffset() {
            return LogOffset.LAST_BEFORE_REAL_OFFSETS;
        }

        @Override
        public LogOffset durableOffset() {
            return LogOffset.LAST_BEFORE_REAL_OFFSETS;
        }

        @Override
        public LogOffset chunkEnd(LogOffset offset) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<LogOffset> chunkBoundaries() {
            return List.of();
        }

        @Override
        public ItemCursor readLog(LogOffset after, LogOffset upTo) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long changeVersion() {
            return version;
        }

        @Override
        public synchronized boolean awaitChange(long seenVersion, long timeout, TimeUnit unit) throws InterruptedException {
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            while (version == seenVersion) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }

        @Override
        public synchronized void signalReaders() {
            version++;
            notifyAll();
        }

        @Override
        public int readersWaiting() {
            return 0; // nothing reads an idle shape in this benchmark
        }
    }
}
