package dev.ampere.bench.e2e;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything one run measured, plus the scenarios that failed and why; the JSON file is {@link #toJson()}. */
final class Results {
    final Settings settings;
    final Instant started = Instant.now();
    final List<LatencyScenario.Point> latency = new ArrayList<>();
    final List<SubqueryScenario.Result> subquery = new ArrayList<>();
    FanoutScenario.Result fanout;
    HeapScenario.Result heap;
    final Map<String, String> failures = new LinkedHashMap<>();
    double seconds;

    Results(Settings settings) {
        this.settings = settings;
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("benchmark", "end-to-end delivery (real Postgres, Ampere from its jar, keep-alive HTTP clients)");
        m.put("started", started.toString());
        m.put("seconds", seconds);
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("java", System.getProperty("java.version"));
        env.put("cpus", Runtime.getRuntime().availableProcessors());
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("environment", env);
        m.put("settings", settings.toJson());
        m.put("write_to_client", latency.stream().map(LatencyScenario.Point::toJson).toList());
        m.put("subquery", subquery.stream().map(SubqueryScenario.Result::toJson).toList());
        m.put("fanout", fanout == null ? null : fanout.toJson());
        m.put("heap_per_parked_request", heap == null ? null : heap.toJson());
        Map<String, Object> conn = new LinkedHashMap<>();
        conn.put("connections_opened", HttpConnection.CONNECTS.get());
        conn.put("requests_sent", HttpConnection.REQUESTS.get());
        conn.put("requests_per_connection", HttpConnection.REQUESTS.get() / (double) Math.max(1, HttpConnection.CONNECTS.get()));
        m.put("load_tool_connections", conn);
        m.put("failures", failures);
        return m;
    }
}
