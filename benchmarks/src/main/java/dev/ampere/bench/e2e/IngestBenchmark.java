package dev.ampere.bench.e2e;

import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Ingest with many shapes that all receive rows (benchmarks/README.md, "Ingest"), two scenarios against a real
 * Postgres and Ampere from its jar:
 *
 * <ol>
 *   <li><b>drain</b>: N shapes {@code owner = k} are created, Ampere is stopped, {@code rows} rows in
 *   {@code perTx}-row transactions are written (row i to owner i mod N, so every shape receives rows), then, in the
 *   same run, {@code pg_recvlogical} drains that WAL from its own slot (pgoutput, to /dev/null) and Ampere is
 *   started and timed until its slot's {@code confirmed_flush_lsn} reaches the end of the writes: from its JVM's
 *   launch, and from its stream's start (the slot turning active). Repeated {@code runs} times; medians.</li>
 *   <li><b>sustained</b>: N shapes, {@code followed} of them followed live by one client each, {@code rate} rows/s
 *   in {@code perTx}-row transactions for {@code seconds} (after {@code warmupSeconds}); write → client latency
 *   (from just before COMMIT) of the followed rows, and the slot's lag sampled every 250 ms.</li>
 * </ol>
 *
 * Usage: {@code IngestBenchmark quick|full <resultsDir> [key=value ...]}; writes ingest.json and ingest.md.
 */
public final class IngestBenchmark {
    private static final String TABLE_DRAIN = "ingest_items";
    private static final String TABLE_LIVE = "ingest_live";
    private static final String RECV_SLOT = "ingest_recv_slot";
    private static final String RECV_PUB = "ingest_recv_pub";

    public static void main(String[] args) throws Exception {
        boolean quick = args.length > 0 && args[0].equals("quick");
        Path out = Path.of(args.length > 1 ? args[1] : "benchmarks/results/ingest");
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("shapes", "1000");
        kv.put("rows", quick ? "100000" : "200000");
        kv.put("perTx", "50");
        kv.put("runs", quick ? "1" : "3");
        kv.put("rate", "20000");
        kv.put("seconds", quick ? "10" : "30");
        kv.put("warmupSeconds", "5");
        kv.put("followed", "100");
        kv.put("writers", "4");
        kv.put("scenarios", "drain,sustained");
        for (int i = 2; i < args.length; i++) {
            String[] p = args[i].split("=", 2);
            if (!kv.containsKey(p[0])) throw new IllegalArgumentException("unknown key " + p[0] + "; known " + kv.keySet());
            kv.put(p[0], p[1]);
        }
        Files.createDirectories(out);
        Path work = Files.createTempDirectory("ampere-ingest");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("settings", kv);
        List<String> scenarios = List.of(kv.get("scenarios").split(","));
        ServerProcess.Launch launch = ServerProcess.Launch.fromEnvironment();
        StringBuilder md = new StringBuilder("# Ingest with many shapes\n\n");
        try (Database db = Database.start()) {
            json.put("load_before", load());
            if (scenarios.contains("drain")) {
                Map<String, Object> d = drain(db, launch, work, kv);
                json.put("drain", d);
                md.append(drainMarkdown(d, kv));
            }
            if (scenarios.contains("sustained")) {
                Map<String, Object> s = sustained(db, launch, work, kv);
                json.put("sustained", s);
                md.append(sustainedMarkdown(s, kv));
            }
            json.put("load_after", load());
        } finally {
            deleteQuietly(work);
        }
        JsonOut.write(out.resolve("ingest.json"), json);
        Files.writeString(out.resolve("ingest.md"), md.toString());
        System.out.println(md);
        System.out.println("results in " + out);
    }

    // ---- drain ----

    private static Map<String, Object> drain(Database db, ServerProcess.Launch launch, Path work, Map<String, String> kv)
            throws Exception {
        int n = Integer.parseInt(kv.get("shapes"));
        int rows = Integer.parseInt(kv.get("rows"));
        int perTx = Integer.parseInt(kv.get("perTx"));
        int runs = Integer.parseInt(kv.get("runs"));
        Path recvlogical = Path.of(System.getenv().getOrDefault("PG_BIN", "/usr/lib/postgresql/15/bin"),
                "pg_recvlogical");
        db.createItemsTable(TABLE_DRAIN);
        db.execute("INSERT INTO " + TABLE_DRAIN + " SELECT 1000000000 + g, g, 'seed' FROM generate_series(1, " + n + ") g",
                "CREATE PUBLICATION " + RECV_PUB + " FOR TABLE " + TABLE_DRAIN,
                "SELECT pg_create_logical_replication_slot('" + RECV_SLOT + "', 'pgoutput')");
        String name = "ingest";
        String slot = "electric_slot_" + name;
        try (ServerProcess ampere = ServerProcess.ampere(launch, name, db, work, Map.of())) {
            List<String> wheres = new ArrayList<>(n);
            for (int k = 1; k <= n; k++) wheres.add("owner = " + k);
            ShapeCreator.Result c = ShapeCreator.create(ampere.port(), TABLE_DRAIN, wheres, 32,
                    System.nanoTime() + TimeUnit.MINUTES.toNanos(5));
            System.out.printf("ingest: %,d shapes created in %.1f s (%d errors)%n", c.created(), c.seconds(), c.errors());
            if (c.created() != n) throw new IllegalStateException("only " + c.created() + " of " + n + " shapes");
        }
        List<Map<String, Object>> each = new ArrayList<>();
        double[] recv = new double[runs];
        double[] stream = new double[runs];
        double[] total = new double[runs];
        for (int r = 0; r < runs; r++) {
            long base = (long) r * rows;
            long t0 = System.nanoTime();
            db.execute("DO $$ BEGIN FOR t IN 0.." + (rows / perTx - 1) + " LOOP"
                    + " INSERT INTO " + TABLE_DRAIN + " SELECT " + base + " + t * " + perTx + " + g, (("
                    + base + " + t * " + perTx + " + g) % " + n + ") + 1, 'payload ' || g"
                    + " FROM generate_series(1, " + perTx + ") g; COMMIT; END LOOP; END $$");
            double writeSeconds = (System.nanoTime() - t0) / 1e9;
            String end = one(db, "SELECT pg_current_wal_lsn()::text");
            System.out.printf("ingest: run %d: %,d rows written in %.1f s with Ampere stopped; end %s%n", r + 1, rows,
                    writeSeconds, end);
            recv[r] = recvlogical(recvlogical, db.port(), end);
            double[] a = ampereDrain(db, launch, work, name, slot, end);
            total[r] = a[0];
            stream[r] = a[1];
            System.out.printf("ingest: run %d: pg_recvlogical %.2f s (%,.0f rows/s); Ampere %.2f s from launch,"
                            + " %.2f s from stream start (%,.0f rows/s), ratio %.2f%n", r + 1, recv[r], rows / recv[r],
                    total[r], stream[r], rows / stream[r], recv[r] / stream[r]);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("write_seconds", writeSeconds);
            m.put("pg_recvlogical_seconds", recv[r]);
            m.put("ampere_from_launch_seconds", total[r]);
            m.put("ampere_from_stream_start_seconds", stream[r]);
            each.add(m);
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("shapes", n);
        d.put("rows", rows);
        d.put("rows_per_transaction", perTx);
        d.put("runs", each);
        double mr = median(recv);
        double ms = median(stream);
        double mt = median(total);
        d.put("pg_recvlogical_rows_per_second", rows / mr);
        d.put("ampere_rows_per_second_from_stream_start", rows / ms);
        d.put("ampere_rows_per_second_from_launch", rows / mt);
        d.put("ratio_from_stream_start", mr / ms);
        d.put("ratio_from_launch", mr / mt);
        return d;
    }

    /** Starts Ampere and returns {seconds from launch, seconds from its stream's start} until the slot confirms end. */
    private static double[] ampereDrain(Database db, ServerProcess.Launch launch, Path work, String name, String slot,
                                        String end) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            long launched = System.nanoTime();
            AtomicLong active = new AtomicLong();
            long done = 0;
            ServerProcess[] server = new ServerProcess[1];
            Exception[] failed = new Exception[1];
            Thread starter = Thread.ofVirtual().start(() -> {
                try {
                    server[0] = ServerProcess.ampere(launch, name, db, work, Map.of());
                } catch (Exception e) {
                    failed[0] = e;
                }
            });
            long deadline = launched + TimeUnit.MINUTES.toNanos(10);
            String q = "SELECT active, confirmed_flush_lsn >= '" + end + "'::pg_lsn, confirmed_flush_lsn::text"
                    + " FROM pg_replication_slots WHERE slot_name = '" + slot + "'";
            boolean trace = Boolean.getBoolean("ingest.trace");
            long lastTrace = 0;
            while (System.nanoTime() < deadline && failed[0] == null) {
                try (ResultSet rs = s.executeQuery(q)) {
                    rs.next();
                    long now = System.nanoTime();
                    if (active.get() == 0 && rs.getBoolean(1)) active.set(now);
                    if (trace && now - lastTrace > 500_000_000L) {
                        lastTrace = now;
                        System.out.printf("ingest:   %.1f s: active %s, confirmed %s%n", (now - launched) / 1e9,
                                rs.getBoolean(1), rs.getString(3));
                    }
                    if (rs.getBoolean(2)) {
                        done = now;
                        break;
                    }
                }
                Thread.sleep(5);
            }
            starter.join();
            if (server[0] != null) server[0].close();
            if (failed[0] != null) throw failed[0];
            if (done == 0) throw new IllegalStateException("the slot did not confirm " + end + " in time");
            return new double[]{(done - launched) / 1e9, (done - active.get()) / 1e9};
        }
    }

    private static double recvlogical(Path binary, int port, String end) throws Exception {
        List<String> cmd = List.of(binary.toString(), "-d",
                "host=127.0.0.1 port=" + port + " user=postgres password=postgres dbname=postgres", "--slot", RECV_SLOT,
                "--start", "-o", "proto_version=1", "-o", "publication_names=" + RECV_PUB, "-E", end, "--no-loop",
                "-f", "/dev/null");
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("PGPASSWORD", "postgres");
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("pg_recvlogical failed: exit " + p.exitValue());
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    // ---- sustained ----

    private static Map<String, Object> sustained(Database db, ServerProcess.Launch launch, Path work,
                                                 Map<String, String> kv) throws Exception {
        int n = Integer.parseInt(kv.get("shapes"));
        int perTx = Integer.parseInt(kv.get("perTx"));
        double rate = Double.parseDouble(kv.get("rate"));
        int seconds = Integer.parseInt(kv.get("seconds"));
        int warmup = Integer.parseInt(kv.get("warmupSeconds"));
        int followed = Math.min(n, Integer.parseInt(kv.get("followed")));
        int writers = Integer.parseInt(kv.get("writers"));
        double txPerSecond = rate / perTx;
        int warmTx = (int) (warmup * txPerSecond);
        int txs = warmTx + (int) (seconds * txPerSecond);
        long rowsTotal = (long) txs * perTx;
        db.createItemsTable(TABLE_LIVE);
        db.execute("INSERT INTO " + TABLE_LIVE + " SELECT 1000000000 + g, g, 'seed' FROM generate_series(1, " + n + ") g");
        String name = "sustained";
        String slot = "electric_slot_" + name;
        try (ServerProcess ampere = ServerProcess.ampere(launch, name, db, work, Map.of())) {
            List<String> wheres = new ArrayList<>(n);
            for (int k = 1; k <= n; k++) wheres.add("owner = " + k);
            ShapeCreator.Result c = ShapeCreator.create(ampere.port(), TABLE_LIVE, wheres, 32,
                    System.nanoTime() + TimeUnit.MINUTES.toNanos(5));
            System.out.printf("sustained: %,d shapes created in %.1f s (%d errors)%n", c.created(), c.seconds(), c.errors());
            boolean[] isFollowed = new boolean[n + 1];
            int[] owners = new int[followed];
            for (int j = 0; j < followed; j++) {
                owners[j] = 1 + (int) ((long) j * n / followed);
                isFollowed[owners[j]] = true;
            }
            AtomicLongArray commitStart = new AtomicLongArray(txs);
            AtomicLongArray scheduledAt = new AtomicLongArray(txs);
            AtomicLongArray seen = new AtomicLongArray((int) rowsTotal + 1);
            ShapeFollower.Sink sink = (f, ids, at) -> {
                for (long id : ids) if (id >= 1 && id <= rowsTotal) seen.compareAndSet((int) id, 0, at);
            };
            List<long[]> lag = new ArrayList<>();
            try (FollowerGroup group = new FollowerGroup(followed, i -> new ShapeFollower(i, ampere.port(), TABLE_LIVE,
                    "owner = " + owners[i], sink, 120_000))) {
                group.awaitAllParked(Duration.ofSeconds(60), Duration.ofMillis(500));
                System.out.printf("sustained: %d followers live; %,.0f rows/s in %d-row transactions for %d s"
                        + " (+%d s warm-up), %d writer connections%n", followed, rate, perTx, seconds, warmup, writers);
                long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                Thread[] ws = new Thread[writers];
                Exception[] writeFailed = new Exception[1];
                for (int w = 0; w < writers; w++) {
                    int me = w;
                    ws[w] = Thread.ofPlatform().name("writer-" + w).start(() -> {
                        try (Connection wc = db.connect(); Statement st = wc.createStatement()) {
                            st.execute("SET synchronous_commit = on");
                            for (int t = me; t < txs; t += writers) {
                                long at = t0 + (long) (t * 1e9 / txPerSecond);
                                long wait = at - System.nanoTime();
                                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                                scheduledAt.set(t, at);
                                long first = (long) t * perTx + 1;
                                commitStart.set(t, System.nanoTime());
                                st.execute("INSERT INTO " + TABLE_LIVE + " SELECT g, (g % " + n + ") + 1, 'payload'"
                                        + " FROM generate_series(" + first + ", " + (first + perTx - 1) + ") g");
                            }
                        } catch (Exception e) {
                            writeFailed[0] = e;
                        }
                    });
                }
                // Slot lag, sampled while the writers run and a little after.
                try (Connection lc = db.connect(); Statement ls = lc.createStatement()) {
                    long stop = t0 + (long) (txs * 1e9 / txPerSecond) + TimeUnit.SECONDS.toNanos(3);
                    while (System.nanoTime() < stop) {
                        try (ResultSet rs = ls.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(),"
                                + " confirmed_flush_lsn)::int8 FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
                            rs.next();
                            lag.add(new long[]{System.nanoTime() - t0, rs.getLong(1)});
                        }
                        Thread.sleep(250);
                    }
                }
                for (Thread w : ws) w.join();
                if (writeFailed[0] != null) throw writeFailed[0];
                Thread.sleep(2_000);
            }
            Histogram fromCommit = LatencySummary.newHistogram();
            Histogram fromSchedule = LatencySummary.newHistogram();
            Histogram writerLag = LatencySummary.newHistogram();
            long expected = 0;
            long missing = 0;
            for (int t = warmTx; t < txs; t++) {
                LatencySummary.recordNanos(writerLag, commitStart.get(t) - scheduledAt.get(t));
                for (int i = 0; i < perTx; i++) {
                    long id = (long) t * perTx + 1 + i;
                    int owner = (int) (id % n) + 1;
                    if (!isFollowed[owner]) continue;
                    expected++;
                    long at = seen.get((int) id);
                    if (at == 0) {
                        missing++;
                        continue;
                    }
                    LatencySummary.recordNanos(fromCommit, at - commitStart.get(t));
                    LatencySummary.recordNanos(fromSchedule, at - scheduledAt.get(t));
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("shapes", n);
            m.put("followed", followed);
            m.put("rows_per_second", rate);
            m.put("rows_per_transaction", perTx);
            m.put("measured_seconds", seconds);
            m.put("followed_rows_expected", expected);
            m.put("followed_rows_missing", missing);
            m.put("from_commit", LatencySummary.of(fromCommit).toJson());
            m.put("from_schedule", LatencySummary.of(fromSchedule).toJson());
            m.put("writer_lag", LatencySummary.of(writerLag).toJson());
            long maxLag = 0;
            long maxFirstHalf = 0;
            long maxSecondHalf = 0;
            double mid = (warmup + seconds) / 2.0 * 1e9;
            for (long[] l : lag) {
                maxLag = Math.max(maxLag, l[1]);
                if (l[0] < mid) maxFirstHalf = Math.max(maxFirstHalf, l[1]);
                else maxSecondHalf = Math.max(maxSecondHalf, l[1]);
            }
            m.put("slot_lag_max_bytes", maxLag);
            m.put("slot_lag_max_first_half_bytes", maxFirstHalf);
            m.put("slot_lag_max_second_half_bytes", maxSecondHalf);
            m.put("slot_lag_last_bytes", lag.isEmpty() ? -1 : lag.getLast()[1]);
            m.put("slot_lag_samples", lag.size());
            System.out.printf("sustained: p50 %.1f ms, p99 %.1f ms from commit (%d of %d followed rows missing);"
                            + " slot lag max %,d B (first half %,d, second half %,d), last %,d B%n",
                    LatencySummary.of(fromCommit).p50(), LatencySummary.of(fromCommit).p99(), missing, expected, maxLag,
                    maxFirstHalf, maxSecondHalf, lag.isEmpty() ? -1 : lag.getLast()[1]);
            return m;
        }
    }

    // ---- reporting ----

    private static String drainMarkdown(Map<String, Object> d, Map<String, String> kv) {
        return String.format("""
                ## Drain: %,d rows in %s-row transactions, %s shapes all receiving rows (median of %s)

                | | rows/s | ratio to pg_recvlogical |
                |---|---|---|
                | pg_recvlogical (own slot, pgoutput, to /dev/null) | %,.0f | 1 |
                | Ampere, from its stream's start to the slot confirming the end | %,.0f | %.2f |
                | Ampere, from its JVM's launch (start-up and recovery included) | %,.0f | %.2f |

                """, (Integer) d.get("rows"), kv.get("perTx"), kv.get("shapes"), kv.get("runs"),
                (Double) d.get("pg_recvlogical_rows_per_second"),
                (Double) d.get("ampere_rows_per_second_from_stream_start"), (Double) d.get("ratio_from_stream_start"),
                (Double) d.get("ampere_rows_per_second_from_launch"), (Double) d.get("ratio_from_launch"));
    }

    @SuppressWarnings("unchecked")
    private static String sustainedMarkdown(Map<String, Object> s, Map<String, String> kv) {
        Map<String, Object> c = (Map<String, Object>) s.get("from_commit");
        Map<String, Object> sch = (Map<String, Object>) s.get("from_schedule");
        Map<String, Object> w = (Map<String, Object>) s.get("writer_lag");
        return String.format("""
                ## Sustained: %s rows/s in %s-row transactions, %s shapes, %s followed live, %s s measured

                | figure | value |
                |---|---|
                | write → client, from COMMIT: p50 / p99 / max | %.1f / %.1f / %.1f ms |
                | write → client, from the schedule: p50 / p99 | %.1f / %.1f ms |
                | writer lag behind schedule: p99 | %.1f ms |
                | followed rows missing | %s of %s |
                | slot lag: max first half / max second half / last | %,d / %,d / %,d bytes |

                """, kv.get("rate"), kv.get("perTx"), kv.get("shapes"), s.get("followed"), kv.get("seconds"),
                (Double) c.get("p50_ms"), (Double) c.get("p99_ms"), (Double) c.get("max_ms"),
                (Double) sch.get("p50_ms"), (Double) sch.get("p99_ms"), (Double) w.get("p99_ms"),
                s.get("followed_rows_missing"), s.get("followed_rows_expected"),
                (Long) s.get("slot_lag_max_first_half_bytes"), (Long) s.get("slot_lag_max_second_half_bytes"),
                (Long) s.get("slot_lag_last_bytes"));
    }

    private static void deleteQuietly(Path root) {
        try (var all = Files.walk(root)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            System.err.println("ingest: could not remove " + root + ": " + e);
        }
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String one(Database db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
