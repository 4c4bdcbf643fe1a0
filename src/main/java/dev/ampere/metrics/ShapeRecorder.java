package dev.ampere.metrics;

import dev.ampere.shapes.ShapeMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;

/** The shapes' figures: snapshots (rows, durations, failures) and log flushes. */
final class ShapeRecorder implements ShapeMetrics {
    private final Timer snapshots;
    private final Counter snapshotRows;
    private final Counter snapshotFailures;
    private final Timer flushes;

    ShapeRecorder(MeterRegistry registry) {
        snapshots = Timer.builder("ampere.snapshot.duration")
                .description("Initial snapshots stored, by how long each took").register(registry);
        snapshotRows = Counter.builder("ampere.snapshot.rows").description("Rows stored by initial snapshots")
                .register(registry);
        snapshotFailures = Counter.builder("ampere.snapshot.failures").description("Initial snapshots that failed")
                .register(registry);
        flushes = Timer.builder("ampere.storage.flush.duration")
                .description("Group flush passes (every dirty shape log synced to disk at once), by how long each took").register(registry);
    }

    @Override
    public void snapshotStored(long rows, long nanos) {
        snapshots.record(nanos, TimeUnit.NANOSECONDS);
        snapshotRows.increment(rows);
    }

    @Override
    public void snapshotFailed() {
        snapshotFailures.increment();
    }

    @Override
    public void flushed(long nanos) {
        flushes.record(nanos, TimeUnit.NANOSECONDS);
    }
}
