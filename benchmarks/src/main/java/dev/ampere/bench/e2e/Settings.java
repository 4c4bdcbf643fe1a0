package dev.ampere.bench.e2e;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sizes of one run. {@code full} is the workload the issue asks for; {@code quick} is a smaller one that checks
 * everything within about three minutes. Any value can be overridden with {@code key=value} arguments, for example
 * {@code shapes=10,1000 writes=500 scenarios=latency,heap}.
 */
record Settings(String mode, int[] shapeCounts, int followed, int warmupWrites, int writes, double writesPerSecond,
        int creationConcurrency, int fanoutClients, int fanoutRows, int fanoutWarmupRounds, int fanoutRounds,
        int parked, int heapRounds,
        boolean helidonBaseline, String scenarios, Duration budget, int[] subqueryShapeCounts) {

    static Settings of(String mode, String[] overrides) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("shapes", "10,1000,10000");
        v.put("followed", "100");
        v.put("warmupWrites", "1000");
        v.put("writes", "1000");
        v.put("rate", "200");
        v.put("creationConcurrency", "32");
        v.put("fanoutClients", "200");
        v.put("fanoutRows", "1910");
        v.put("fanoutWarmupRounds", "3");
        v.put("fanoutRounds", "5");
        v.put("parked", "2000");
        v.put("heapRounds", "3");
        v.put("helidon", "true");
        v.put("scenarios", "latency,subquery,fanout,heap");
        v.put("subqueryShapes", "10000");
        v.put("budgetMinutes", "12");
        switch (mode) {
            case "full" -> { }
            case "quick" -> {
                v.put("shapes", "10,1000");
                v.put("warmupWrites", "400");
                v.put("writes", "400");
                v.put("fanoutRounds", "3");
                v.put("parked", "1000");
                v.put("heapRounds", "1");
                v.put("budgetMinutes", "4");
                v.put("subqueryShapes", "1000");
            }
            default -> throw new IllegalArgumentException("mode must be quick or full, not " + mode);
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq < 0 || !v.containsKey(o.substring(0, eq))) {
                throw new IllegalArgumentException("expected one of " + v.keySet() + " as key=value, not " + o);
            }
            v.put(o.substring(0, eq), o.substring(eq + 1));
        }
        return new Settings(mode, Arrays.stream(v.get("shapes").split(",")).mapToInt(Integer::parseInt).toArray(),
                Integer.parseInt(v.get("followed")), Integer.parseInt(v.get("warmupWrites")), Integer.parseInt(v.get("writes")), Double.parseDouble(v.get("rate")),
                Integer.parseInt(v.get("creationConcurrency")), Integer.parseInt(v.get("fanoutClients")),
                Integer.parseInt(v.get("fanoutRows")), Integer.parseInt(v.get("fanoutWarmupRounds")),
                Integer.parseInt(v.get("fanoutRounds")),
                Integer.parseInt(v.get("parked")), Integer.parseInt(v.get("heapRounds")),
                Boolean.parseBoolean(v.get("helidon")), v.get("scenarios"),
                Duration.ofMinutes(Long.parseLong(v.get("budgetMinutes"))),
                Arrays.stream(v.get("subqueryShapes").split(",")).mapToInt(Integer::parseInt).toArray());
    }

    boolean runs(String scenario) {
        return Arrays.asList(scenarios.split(",")).contains(scenario);
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.put("shape_counts", Arrays.stream(shapeCounts).boxed().toList());
        m.put("followed_shapes", followed);
        m.put("warmup_writes", warmupWrites);
        m.put("writes", writes);
        m.put("writes_per_second", writesPerSecond);
        m.put("creation_concurrency", creationConcurrency);
        m.put("fanout_clients", fanoutClients);
        m.put("fanout_rows", fanoutRows);
        m.put("fanout_warmup_rounds", fanoutWarmupRounds);
        m.put("fanout_rounds", fanoutRounds);
        m.put("parked_requests", parked);
        m.put("heap_rounds", heapRounds);
        m.put("helidon_baseline", helidonBaseline);
        m.put("scenarios", scenarios);
        m.put("budget_s", budget.toSeconds());
        m.put("subquery_shape_counts", Arrays.stream(subqueryShapeCounts).boxed().toList());
        return m;
    }
}
