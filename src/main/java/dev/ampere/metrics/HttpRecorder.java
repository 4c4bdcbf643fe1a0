package dev.ampere.metrics;

import dev.ampere.http.HttpMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The HTTP side's figures: requests by route, method and status (and, for shapes, Electric's per-status counter),
 * and admission rejections by kind. Counters are made on first use and kept, so a request costs one map lookup.
 */
final class HttpRecorder implements HttpMetrics {
    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter[]> requests = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> rejections = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> copies = new ConcurrentHashMap<>();

    HttpRecorder(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void requestDone(String route, String method, int status) {
        String key = route + ' ' + method + ' ' + status;
        Counter[] counters = requests.get(key);
        if (counters == null) counters = requests.computeIfAbsent(key, k -> newCounters(route, method, status));
        for (Counter c : counters) c.increment();
    }

    private Counter[] newCounters(String route, String method, int status) {
        Counter all = Counter.builder("ampere.http.requests").description("HTTP requests finished")
                .tag("route", route).tag("method", method).tag("status", Integer.toString(status))
                .register(registry);
        if (!route.equals("shape")) return new Counter[] {all};
        Counter electric = Counter.builder("electric.plug.serve_shape.requests")
                .description("Shape requests finished, by status (Electric's figure)")
                .tag("status", Integer.toString(status)).register(registry);
        return new Counter[] {all, electric};
    }

    @Override
    public void admissionRejected(String kind) {
        rejections.computeIfAbsent(kind, k -> Counter.builder("electric.admission_control.reject")
                .description("Requests refused by admission control, by kind").tag("kind", k)
                .register(registry)).increment();
    }

    @Override
    public void compressedCopyMade(String kind) {
        copies.computeIfAbsent(kind, k -> Counter.builder("ampere.http.compressed_copies")
                .description("gzip copies of immutable chunks made and stored, by kind (snapshot, log)").tag("kind", k)
                .register(registry)).increment();
    }
}
