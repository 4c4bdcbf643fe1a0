package dev.ampere.bench.e2e;

import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Percentiles of one latency distribution in milliseconds, read from an HdrHistogram that records microseconds with
 * three significant digits (so p99 of 12.345 ms is exact to about 0.01 ms).
 */
record LatencySummary(long count, double p50, double p95, double p99, double max, double mean) {
    static final LatencySummary EMPTY = new LatencySummary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** A histogram for values in microseconds, up to an hour. */
    static Histogram newHistogram() {
        return new Histogram(3_600_000_000L, 3);
    }

    static void recordNanos(Histogram h, long nanos) {
        h.recordValue(Math.max(1, Math.min(nanos / 1_000, h.getHighestTrackableValue())));
    }

    static LatencySummary of(Histogram h) {
        if (h.getTotalCount() == 0) return EMPTY;
        return new LatencySummary(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(95)),
                ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()), h.getMean() / 1_000.0);
    }

    /** Entries that are 0 were never recorded and are skipped. */
    static LatencySummary ofNanos(AtomicLongArray nanos) {
        Histogram h = newHistogram();
        for (int i = 0; i < nanos.length(); i++) if (nanos.get(i) > 0) recordNanos(h, nanos.get(i));
        return of(h);
    }

    private static double ms(long micros) {
        return micros / 1_000.0;
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        m.put("p50_ms", p50);
        m.put("p95_ms", p95);
        m.put("p99_ms", p99);
        m.put("max_ms", max);
        m.put("mean_ms", mean);
        return m;
    }
}
