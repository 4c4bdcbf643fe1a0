package dev.ampere.bench.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A burst of new shapes against its limit, in one run (benchmarks/README.md, "Shape bursts"): a table of 500 rows
 * ({@code owner} 1..1,000, so about half the shapes are empty), then N distinct shapes {@code owner = k AND id > -r}
 * requested all at once, one virtual-thread client per shape on its own connection ({@code GET offset=-1}, a 5xx
 * retried as its {@code retry-after} asks), timed until the last client has its snapshot. The limit, in the same run:
 * the same N snapshot queries run by Postgres itself ({@code BEGIN REPEATABLE READ}, {@code pg_current_snapshot()},
 * the select, {@code COMMIT}) from 20 connections, the size of Ampere's pool. Three rounds on one Ampere (new shapes
 * each round); medians. Ampere runs with {@code ELECTRIC_MAX_CONCURRENT_REQUESTS} admitting the whole burst.
 *
 * <p>Usage: {@code ShapeBurstBenchmark <quick|full> <results-dir> [shapes=N]} (quick: 300 shapes; full: 1,000).
 * Writes {@code shape-burst.json} and {@code shape-burst.md}.
 */
public final class ShapeBurstBenchmark {
    private static final int RUNS = 3;
    private static final int ROWS = 500;
    private static final int POOL = 20;
    private static final String TABLE = "burst_items";

    private ShapeBurstBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ShapeBurstBenchmark <quick|full> <results-dir> [shapes=N]");
            System.exit(2);
        }
        int shapes = args[0].equals("quick") ? 300 : 1_000;
        for (String a : Arrays.copyOfRange(args, 2, args.length)) {
            if (a.startsWith("shapes=")) shapes = Integer.parseInt(a.substring(7).replace("_", ""));
        }
        Path out = Files.createDirectories(Path.of(args[1]));
        ServerProcess.Launch launch = ServerProcess.Launch.fromEnvironment();
        Path work = Files.createTempDirectory("ampere-burst-");
        double[] limit = new double[RUNS];
        double[] ampere = new double[RUNS];
        int[] errors = new int[RUNS];
        int[] retries = new int[RUNS];
        double[] p50 = new double[RUNS];
        double[] p99 = new double[RUNS];
        try (Database db = Database.start()) {
            db.execute("CREATE TABLE " + TABLE + " (id bigint PRIMARY KEY, owner int NOT NULL, title text)",
                    "INSERT INTO " + TABLE + " SELECT g, 1 + (g * 7919) % 1000, 'item ' || g FROM generate_series(1, "
                            + ROWS + ") g",
                    "VACUUM ANALYZE " + TABLE);
            // Admission control would turn most of a burst over Electric's default (300 initial requests in flight)
            // into 503s with retry-after; what is measured here is the creation path, so it admits the whole burst.
            Map<String, String> env = Map.of("ELECTRIC_MAX_CONCURRENT_REQUESTS",
                    "{\"initial\": " + Math.max(300, shapes) + ", \"existing\": 10000}");
            try (ServerProcess server = ServerProcess.ampere(launch, "burst", db, work, env)) {
                // A few shapes first, so the first round does not also time the JIT's first pass and the pool's start.
                ShapeCreator.create(server.port(), TABLE, wheres(50, 0), 8, System.nanoTime() + 60_000_000_000L);
                for (int r = 0; r < RUNS; r++) {
                    limit[r] = postgresSeconds(db, wheres(shapes, r + 1));
                    ShapeCreator.Result res = ShapeCreator.create(server.port(), TABLE, wheres(shapes, r + 1), shapes,
                            System.nanoTime() + 120_000_000_000L);
                    ampere[r] = res.seconds();
                    errors[r] = res.shapes() - res.created();
                    retries[r] = res.retries();
                    p50[r] = res.perRequest().p50();
                    p99[r] = res.perRequest().p99();
                    System.out.printf(Locale.ROOT, "burst: round %d: %,d shapes in %.2f s (%d errors, %d retries,"
                                    + " request p50 %.0f ms, p99 %.0f ms); Postgres alone %.2f s%n", r + 1, shapes,
                            ampere[r], errors[r], retries[r], p50[r], p99[r], limit[r]);
                }
            }
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        double a = FanoutScenario.median(ampere), l = FanoutScenario.median(limit);
        String json = String.format(Locale.ROOT, """
                {"shapes": %d, "rows": %d, "runs": %d, "ampere_seconds": %s, "postgres_seconds": %s,
                 "errors": %s, "retries": %s, "request_p50_ms": %s, "request_p99_ms": %s,
                 "ampere_median_seconds": %.3f, "postgres_median_seconds": %.3f, "ratio": %.2f}
                """, shapes, ROWS, RUNS, Arrays.toString(ampere), Arrays.toString(limit), Arrays.toString(errors),
                Arrays.toString(retries), Arrays.toString(p50), Arrays.toString(p99), a, l, a / l);
        String md = String.format(Locale.ROOT, """
                | %,d new shapes at once on a %d-row table, median of %d | seconds | vs Postgres |
                |---|---|---|
                | Postgres alone: the same snapshot queries from %d connections (limit) | %.2f | 1.00× |
                | Ampere: every client has its snapshot (errors %s, retries %s) | %.2f | %.1f× |
                """, shapes, ROWS, RUNS, POOL, l, Arrays.toString(errors), Arrays.toString(retries), a, a / l);
        Files.writeString(out.resolve("shape-burst.json"), json);
        Files.writeString(out.resolve("shape-burst.md"), md);
        System.out.print(md);
    }

    /** N distinct where clauses for round {@code round} (distinct across rounds, so each round makes new shapes). */
    private static List<String> wheres(int n, int round) {
        List<String> out = new ArrayList<>(n);
        for (int k = 1; k <= n; k++) out.add("owner = " + k + " AND id > " + -(round * 10 + 1));
        return out;
    }

    /** The snapshot work alone: each where clause's transaction, POOL at a time. */
    private static double postgresSeconds(Database db, List<String> wheres) throws Exception {
        List<Connection> connections = new ArrayList<>();
        try (ExecutorService workers = Executors.newFixedThreadPool(POOL)) {
            for (int i = 0; i < POOL; i++) connections.add(db.connect());
            java.util.concurrent.BlockingQueue<Connection> idle = new java.util.concurrent.LinkedBlockingQueue<>(connections);
            long t0 = System.nanoTime();
            List<Future<Integer>> done = new ArrayList<>();
            for (String w : wheres) {
                done.add(workers.submit(() -> {
                    Connection c = idle.take();
                    try {
                        c.setAutoCommit(false);
                        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                        int rows = 0;
                        try (PreparedStatement s = c.prepareStatement("SELECT pg_current_snapshot()::text");
                             ResultSet rs = s.executeQuery()) {
                            rs.next();
                        }
                        try (PreparedStatement s = c.prepareStatement("SELECT id, owner, title FROM " + TABLE
                                + " WHERE " + w); ResultSet rs = s.executeQuery()) {
                            while (rs.next()) rows++;
                        }
                        c.commit();
                        return rows;
                    } finally {
                        idle.put(c);
                    }
                }));
            }
            for (Future<Integer> f : done) f.get();
            return (System.nanoTime() - t0) / 1e9;
        } finally {
            for (Connection c : connections) c.close();
        }
    }
}
