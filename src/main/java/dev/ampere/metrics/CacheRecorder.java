package dev.ampere.metrics;

import dev.ampere.shapecache.ShapeCacheMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The ShapeCache's figures: shapes created and removed ({@code ampere_shape_creations_total},
 * {@code ampere_shape_removals_total}: the Prometheus client reserves the {@code _created} suffix).
 */
final class CacheRecorder implements ShapeCacheMetrics {
    private final Counter created;
    private final Counter removed;

    CacheRecorder(MeterRegistry registry) {
        created = Counter.builder("ampere.shape.creations").description("Shapes created").register(registry);
        removed = Counter.builder("ampere.shape.removals")
                .description("Shapes removed: deleted, rotated (truncate, schema change), or their snapshot failed")
                .register(registry);
    }

    @Override
    public void created() {
        created.increment();
    }

    @Override
    public void removed() {
        removed.increment();
    }
}
