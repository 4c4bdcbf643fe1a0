package dev.ampere.bench.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scenario 1, write → client latency with N indexed shapes. A fresh Ampere gets N shapes {@code owner = k} on a
 * table of its own (created 32 at a time with {@code GET offset=-1}, timed); min(100, N) of them, spread over the
 * owners, are followed live by one long-polling client each; then single-row writes at a fixed rate go round-robin
 * to the followed owners: first a warm-up at the same rate (reported apart, so a freshly started server's compiler
 * and caches do not dominate the tail), then the measured writes. Each row's latency runs from just before its COMMIT
 * to the client's receipt of it, beside the baseline stream's decoded commit of the same row.
 */
final class LatencyScenario {
    private LatencyScenario() {}

    /** The figures at one N. */
    record Point(int shapes, int followed, ShapeCreator.Result creation, LatencySummary warmup, int writes, int written, int clientSaw,
            int baselineSaw, LatencySummary ampere, LatencySummary ampereCorrected, LatencySummary baseline,
            LatencySummary baselineCorrected, LatencySummary writerLag, int followerErrors, int refetches,
            double requestsPerConnection) {

        double ratioP50() {
            return ampere.p50() / baseline.p50();
        }

        double ratioP99() {
            return ampere.p99() / baseline.p99();
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("shapes", shapes);
            m.put("followed_shapes", followed);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("shapes", creation.shapes());
            c.put("created", creation.created());
            c.put("errors", creation.errors());
            c.put("retries", creation.retries());
            c.put("seconds", creation.seconds());
            c.put("shapes_per_second", creation.created() / creation.seconds());
            c.put("per_request", creation.perRequest().toJson());
            m.put("creation", c);
            m.put("warmup_from_commit", warmup.toJson());
            m.put("writes", writes);
            m.put("written", written);
            m.put("rows_seen_by_clients", clientSaw);
            m.put("rows_seen_by_baseline", baselineSaw);
            m.put("ampere_from_commit", ampere.toJson());
            m.put("ampere_from_schedule", ampereCorrected.toJson());
            m.put("baseline_from_commit", baseline.toJson());
            m.put("baseline_from_schedule", baselineCorrected.toJson());
            m.put("writer_lag", writerLag.toJson());
            m.put("ratio_p50", ratioP50());
            m.put("ratio_p99", ratioP99());
            m.put("follower_errors", followerErrors);
            m.put("refetches", refetches);
            m.put("follower_requests_per_connection", requestsPerConnection);
            return m;
        }
    }

    /** Warm-up rows get ids above this, clear of the measured ids (from 1) and of the seed rows (from 10^9). */
    private static final long WARMUP_BASE = 500_000_000L;

    /** Writes one log's rows and waits (bounded) until both the clients and the baseline have seen them. */
    private static int write(RunContext ctx, String table, WriteLog log, int[] owners) throws Exception {
        Settings s = ctx.settings();
        double seconds = log.size() / s.writesPerSecond();
        int written = FixedRateWriter.run(ctx.db(), table, log, s.writesPerSecond(),
                id -> owners[(int) ((id - 1) % owners.length)], ctx.deadlineIn(seconds * 3 + 30));
        long wait = ctx.deadlineIn(15);
        while (System.nanoTime() < wait && (log.clientCount() < written || log.baselineCount() < written)) {
            Thread.sleep(20);
        }
        return written;
    }

    /** How the scenario's shapes select an owner's rows, and what it does once the measured writes are done. */
    interface Form {
        /** The table's name for N shapes. */
        String table(int n);

        /** Extra set-up once the table and its seed rows (one per owner, id 10^9 + owner) exist. */
        default void setUp(RunContext ctx, String table, int n) throws Exception {}

        /** The where clause of owner {@code k}'s shape. */
        String where(String table, int k);

        /** Seen by the followers besides the write logs (null: nothing). */
        default ShapeFollower.Sink extraSink() {
            return null;
        }

        /** Runs after the measured writes, with the followed owners, while the followers still follow. */
        default void afterWrites(RunContext ctx, String table, int n, int[] owners) throws Exception {}
    }

    /** Shapes {@code owner = k}. */
    static final Form PLAIN = new Form() {
        public String table(int n) {
            return "e2e_latency_" + n;
        }

        public String where(String table, int k) {
            return "owner = " + k;
        }
    };

    static Point run(RunContext ctx, int n) throws Exception {
        return run(ctx, n, PLAIN);
    }

    static Point run(RunContext ctx, int n, Form form) throws Exception {
        Settings s = ctx.settings();
        String table = form.table(n);
        ctx.db().createItemsTable(table);
        ctx.db().execute("INSERT INTO " + table + " SELECT 1000000000 + g, g, 'seed' FROM generate_series(1, " + n + ") g");
        form.setUp(ctx, table, n);
        try (ServerProcess ampere = ctx.startAmpere(table.replace('_', '-'), Map.of())) {
            List<String> wheres = new ArrayList<>(n);
            for (int k = 1; k <= n; k++) wheres.add(form.where(table, k));
            System.out.printf("e2e: latency, N=%,d: creating %,d shapes, %d at a time%n", n, n, s.creationConcurrency());
            ShapeCreator.Result creation = ShapeCreator.create(ampere.port(), table, wheres, s.creationConcurrency(),
                    ctx.deadlineIn(300));
            System.out.printf("e2e:   created %,d in %.1f s (%d errors, %d retries)%n", creation.created(),
                    creation.seconds(), creation.errors(), creation.retries());
            ctx.checkTime("the writes at N=" + n);

            int f = Math.min(s.followed(), n);
            int[] owners = new int[f];
            for (int j = 0; j < f; j++) owners[j] = 1 + (int) ((long) j * n / f);
            WriteLog warm = new WriteLog(WARMUP_BASE, s.warmupWrites());
            WriteLog log = new WriteLog(0, s.writes());
            ShapeFollower.Sink extra = form.extraSink();
            ShapeFollower.Sink sink = (follower, ids, at) -> {
                for (long id : ids) {
                    log.clientSaw(id, at);
                    warm.clientSaw(id, at);
                }
                if (extra != null) extra.onRows(follower, ids, at);
            };
            try (FollowerGroup followers = new FollowerGroup(f, i -> new ShapeFollower(i, ampere.port(), table,
                    form.where(table, owners[i]), sink, 120_000))) {
                followers.awaitAllParked(Duration.ofSeconds(60), Duration.ofMillis(500));
                ctx.baseline().listen((t, ids, count, at) -> {
                    if (!t.equals(table)) return;
                    for (int i = 0; i < count; i++) {
                        log.baselineSaw(ids[i], at);
                        warm.baselineSaw(ids[i], at);
                    }
                });
                System.out.printf("e2e:   %d clients live; %,d warm-up writes, then %,d writes, at %.0f/s%n", f,
                        s.warmupWrites(), s.writes(), s.writesPerSecond());
                write(ctx, table, warm, owners);
                int written = write(ctx, table, log, owners);
                ctx.baseline().listen(null);
                ctx.baseline().check();
                form.afterWrites(ctx, table, n, owners);
                Point p = new Point(n, f, creation, warm.fromCommit(true), s.writes(), written, log.clientCount(), log.baselineCount(),
                        log.fromCommit(true), log.fromSchedule(true), log.fromCommit(false), log.fromSchedule(false),
                        log.writerLag(), followers.errors(), followers.refetches(), followers.requestsPerConnection());
                System.out.printf("e2e:   clients saw %,d of %,d: p50 %.2f ms, p99 %.2f ms; baseline p50 %.2f ms,"
                        + " p99 %.2f ms%n", p.clientSaw(), written, p.ampere().p50(), p.ampere().p99(),
                        p.baseline().p50(), p.baseline().p99());
                return p;
            }
        } finally {
            ctx.db().dropInactiveSlots();
        }
    }
}
