package dev.ampere.bench.e2e;

import org.HdrHistogram.Histogram;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Scenario 2, fan-out: one shape (a whole table), many clients long-polling it live, and rounds of one transaction
 * that inserts many rows. Each round times, from just before COMMIT, how long each client takes to hold every row of
 * the transaction; the headline is the last client, beside the baseline stream's decoded commit of the same
 * transaction. Warm-up rounds run first and are reported apart; the run reports the median over the measured
 * rounds.
 */
final class FanoutScenario {
    private FanoutScenario() {}

    /** One round's figures in milliseconds. */
    record Round(double lastMs, double p50Ms, double baselineMs, int complete) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("last_client_ms", lastMs);
            m.put("median_client_ms", p50Ms);
            m.put("baseline_ms", baselineMs);
            m.put("complete_clients", complete);
            return m;
        }
    }

    /** The scenario's figures. */
    record Result(int clients, int rows, List<Round> warmup, List<Round> rounds, LatencySummary allClients, double medianLastMs,
            double medianBaselineMs, int followerErrors, double requestsPerConnection) {
        double ratio() {
            return medianLastMs / medianBaselineMs;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clients", clients);
            m.put("rows_per_transaction", rows);
            m.put("warmup_rounds", warmup.stream().map(Round::toJson).toList());
            m.put("rounds", rounds.stream().map(Round::toJson).toList());
            m.put("all_clients_all_rounds", allClients.toJson());
            m.put("median_last_client_ms", medianLastMs);
            m.put("median_baseline_ms", medianBaselineMs);
            m.put("ratio", ratio());
            m.put("row_deliveries_per_second", clients * (double) rows / (medianLastMs / 1_000));
            m.put("follower_errors", followerErrors);
            m.put("follower_requests_per_connection", requestsPerConnection);
            return m;
        }
    }

    static Result run(RunContext ctx) throws Exception {
        Settings s = ctx.settings();
        String table = "e2e_fanout";
        ctx.db().createItemsTable(table);
        try (ServerProcess ampere = ctx.startAmpere("fanout", Map.of());
             Connection c = ctx.db().connect(); Statement st = c.createStatement()) {
            try (HttpConnection h = new HttpConnection(ampere.port(), 60_000)) {
                int status = h.get(ShapeUrl.of(table, null, "-1", null, false, null)).status();
                if (status != 200) throw new IllegalStateException("creating the fan-out shape gave HTTP " + status);
            }
            st.execute("SET synchronous_commit = on");
            c.setAutoCommit(false);
            AtomicReference<FanoutRound> current = new AtomicReference<>();
            ShapeFollower.Sink sink = (follower, ids, at) -> {
                FanoutRound r = current.get();
                if (r != null) r.onRows(follower, ids, at);
            };
            List<Round> warmup = new ArrayList<>();
            List<Round> rounds = new ArrayList<>();
            Histogram all = LatencySummary.newHistogram();
            System.out.printf("e2e: fan-out: %d clients on one shape, %,d-row transactions, %d warm-up and %d measured"
                    + " rounds%n", s.fanoutClients(), s.fanoutRows(), s.fanoutWarmupRounds(), s.fanoutRounds());
            try (FollowerGroup followers = new FollowerGroup(s.fanoutClients(),
                    i -> new ShapeFollower(i, ampere.port(), table, null, sink, 120_000))) {
                int total = s.fanoutWarmupRounds() + s.fanoutRounds();
                for (int r = 0; r < total; r++) {
                    boolean measured = r >= s.fanoutWarmupRounds();
                    ctx.checkTime("fan-out round " + (r + 1));
                    followers.awaitAllParked(Duration.ofSeconds(60), Duration.ofMillis(300));
                    long lo = (long) r * s.fanoutRows() + 1;
                    long hi = lo + s.fanoutRows() - 1;
                    FanoutRound round = new FanoutRound(s.fanoutClients(), lo, hi);
                    current.set(round);
                    AtomicLong baselineAt = new AtomicLong();
                    ctx.baseline().listen((t, ids, count, at) -> {
                        if (t.equals(table) && count == s.fanoutRows() && ids[0] >= lo && ids[0] <= hi) baselineAt.set(at);
                    });
                    st.execute("INSERT INTO " + table + " SELECT g, 1, 'fan-out row ' || g || ' "
                            + "x".repeat(40) + "' FROM generate_series(" + lo + ", " + hi + ") g");
                    long t0 = System.nanoTime();
                    c.commit();
                    long wait = ctx.deadlineIn(30);
                    while (System.nanoTime() < wait && (round.completeClients() < round.clients() || baselineAt.get() == 0)) {
                        Thread.sleep(5);
                    }
                    ctx.baseline().listen(null);
                    ctx.baseline().check();
                    Round result = summarize(round.completionNanos(t0), baselineAt.get() == 0 ? 0 : baselineAt.get() - t0,
                            measured ? all : LatencySummary.newHistogram());
                    (measured ? rounds : warmup).add(result);
                    System.out.printf("e2e:   %s round %d: %d/%d clients complete, last %.1f ms, median %.1f ms;"
                            + " baseline %.1f ms%n", measured ? "measured" : "warm-up", r + 1, result.complete(),
                            s.fanoutClients(), result.lastMs(),
                            result.p50Ms(), result.baselineMs());
                }
                return new Result(s.fanoutClients(), s.fanoutRows(), warmup, rounds, LatencySummary.of(all),
                        median(rounds.stream().mapToDouble(Round::lastMs).toArray()),
                        median(rounds.stream().mapToDouble(Round::baselineMs).toArray()), followers.errors(),
                        followers.requestsPerConnection());
            }
        } finally {
            ctx.db().dropInactiveSlots();
        }
    }

    private static Round summarize(long[] completion, long baselineNanos, Histogram all) {
        Histogram h = LatencySummary.newHistogram();
        int complete = 0;
        for (long t : completion) {
            if (t == 0) continue;
            complete++;
            LatencySummary.recordNanos(h, t);
            LatencySummary.recordNanos(all, t);
        }
        boolean everyone = complete == completion.length;
        double last = everyone ? h.getMaxValue() / 1_000.0 : Double.NaN;
        double p50 = complete > 0 ? h.getValueAtPercentile(50) / 1_000.0 : Double.NaN;
        return new Round(last, p50, baselineNanos == 0 ? Double.NaN : baselineNanos / 1e6, complete);
    }

    static double median(double[] values) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
