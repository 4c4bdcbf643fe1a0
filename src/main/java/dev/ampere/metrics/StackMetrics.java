package dev.ampere.metrics;

import dev.ampere.http.HttpMetrics;
import dev.ampere.postgres.SlotLag;
import dev.ampere.replication.ReplicationMetrics;
import dev.ampere.shapecache.ShapeCacheMetrics;
import dev.ampere.shapecache.ShapeDirectory;
import dev.ampere.shapecache.storage.DiskUsage;
import dev.ampere.shapes.ShapeMetrics;
import dev.ampere.shapes.ShapeState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * One stack's Prometheus metrics (README, "Metrics"): a Micrometer registry, the small recorders the stack's
 * components are built with ({@link #collector()}, {@link #cache()}, {@link #shapes()}, {@link #http()}), and
 * gauges read at scrape time (each holds its source strongly: Micrometer's default is a weak reference) from the read-only views the stack already hands out (the {@link ShapeDirectory}, the
 * slot's {@link SlotLag}, the storage directory). Names reuse Electric's where it has one
 * ({@code electric_shapes_total_shapes_count}, {@code electric_postgres_replication_slot_retained_wal_size_bytes},
 * ...), else {@code ampere_...}.
 *
 * <p>Made once per stack by {@code Ampere}; not a process. Thread-safe: recorders are called from many threads,
 * gauges are read on the scraping thread.
 */
public final class StackMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final CollectorRecorder collector;
    private final CacheRecorder cache;
    private final ShapeRecorder shapes;
    private final HttpRecorder http;
    private final ShapeDirectory directory;
    /** Written by {@link #scrape()} before the registry reads its gauges; read only by those gauges. */
    private volatile ShapeCounts counts = new ShapeCounts(0, 0, 0);

    /**
     * @param stackStorage the stack's storage directory ({@code <ELECTRIC_STORAGE_DIR>/shapes/<stack id>})
     */
    public StackMetrics(ShapeDirectory directory, SlotLag slot, Path stackStorage) {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);

        collector = new CollectorRecorder(registry);
        cache = new CacheRecorder(registry);
        shapes = new ShapeRecorder(registry);
        http = new HttpRecorder(registry);

        this.directory = directory;
        Gauge.builder("electric.shapes.total_shapes.count", this, m -> m.counts.total())
                .description("Shapes the stack serves").register(registry);
        Gauge.builder("electric.shapes.active_shapes.count", this, m -> m.counts.active())
                .description("Shapes with at least one live request or stream waiting on them").register(registry);
        Gauge.builder("ampere.shapes.idle.count", this, m -> m.counts.total() - m.counts.active())
                .description("Shapes with no live request waiting on them").register(registry);
        Gauge.builder("ampere.http.live_requests_waiting", this, m -> m.counts.readersWaiting())
                .description("Live requests (long-polls, SSE streams) parked waiting for changes").register(registry);
        CachedFigure<Optional<SlotLag.Figures>> wal = new CachedFigure<>(slot::current, 0);
        slotGauge("electric.postgres.replication.slot_retained_wal_size", wal, SlotLag.Figures::retainedBytes,
                "WAL Postgres retains for the stack's replication slot (pg_current_wal_lsn() - restart_lsn)");
        slotGauge("electric.postgres.replication.slot_confirmed_flush_lsn_lag", wal,
                SlotLag.Figures::confirmedFlushLagBytes,
                "WAL written since what the stack confirmed durable (pg_current_wal_lsn() - confirmed_flush_lsn)");
        CachedFigure<Long> storage = new CachedFigure<>(() -> DiskUsage.bytesUnder(stackStorage), 1_000_000_000L);
        Gauge.builder("electric.storage.used", storage, s -> s.get())
                .strongReference(true).baseUnit("bytes").description("Bytes of the stack's stored shape files").register(registry);
    }

    private void slotGauge(String name, CachedFigure<Optional<SlotLag.Figures>> wal,
                           ToDoubleFunction<SlotLag.Figures> figure, String description) {
        Gauge.builder(name, wal, w -> w.get().map(figure::applyAsDouble).orElse(Double.NaN))
                .strongReference(true).baseUnit("bytes").description(description).register(registry);
    }

    /** The shape figures of one scrape, from one walk of the directory so that total = active + idle holds. */
    private record ShapeCounts(long total, long active, long readersWaiting) {
        static ShapeCounts of(ShapeDirectory d) {
            long total = 0, active = 0, waiting = 0;
            for (ShapeState s : d.all()) {
                if (s.hasEnded()) continue;
                int readers = s.readersWaiting();
                total++;
                if (readers > 0) active++;
                waiting += readers;
            }
            return new ShapeCounts(total, active, waiting);
        }
    }

    public ReplicationMetrics collector() {
        return collector;
    }

    public ShapeCacheMetrics cache() {
        return cache;
    }

    public ShapeMetrics shapes() {
        return shapes;
    }

    public HttpMetrics http() {
        return http;
    }

    /** The lag of the last transaction dispatched (commit in Postgres to routing here), in ms; -1 before any. */
    public long lastReplicationLagMillis() {
        return collector.lastLagMillis();
    }

    /** The Prometheus text exposition of every figure. */
    public synchronized String scrape() {
        counts = ShapeCounts.of(directory);
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
