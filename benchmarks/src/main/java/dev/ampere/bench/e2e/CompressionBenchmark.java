package dev.ampere.bench.e2e;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * gzip against identity over real HTTP (benchmarks/README.md, "Compression"): Ampere from its jar in its own JVM on
 * an embedded Postgres; one client on one kept-alive connection. Measures bytes on the wire per row and the server
 * process's CPU time per response (its total CPU time before and after, from the OS) for:
 * <ul>
 *   <li><b>initial sync</b> of one shape of N rows (every snapshot chunk until up-to-date), from storage: identity;
 *   gzip the first time (each closed chunk is compressed once into its stored copy); gzip again (the stored copies);
 *   </li>
 *   <li><b>live</b>: R transactions of T rows each, each fetched by a {@code live=true} request (one shared body per
 *   wake-up, compressed once when gzip), identity then gzip. The CPU includes replicating the writes, which is the
 *   same in both phases: the difference is the compression.</li>
 * </ul>
 *
 * <p>Usage: {@code CompressionBenchmark <quick|full> <results-dir> [rows=N]} (quick: 100,000 rows, 20 live
 * transactions; full: 500,000 and 100). Writes {@code compression.json} and {@code compression.md}.
 * Single-threaded.
 */
public final class CompressionBenchmark {
    private static final String TABLE = "gz_items";
    private static final int LIVE_ROWS = 50;
    private CompressionBenchmark() {}

    /** One measured phase. */
    record Phase(String name, long responses, long rows, long wireBytes, long identityBytes, double cpuMs, double wallMs) {
        double bytesPerRow() {
            return (double) wireBytes / rows;
        }

        double cpuMsPerResponse() {
            return cpuMs / responses;
        }

        String json() {
            return String.format(Locale.ROOT, "{\"phase\": \"%s\", \"responses\": %d, \"rows\": %d, \"wire_bytes\": %d,"
                            + " \"identity_bytes\": %d, \"bytes_per_row\": %.1f, \"server_cpu_ms\": %.1f,"
                            + " \"server_cpu_ms_per_response\": %.3f, \"wall_ms\": %.1f}",
                    name, responses, rows, wireBytes, identityBytes, bytesPerRow(), cpuMs, cpuMsPerResponse(), wallMs);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: CompressionBenchmark <quick|full> <results-dir> [rows=N]");
            System.exit(2);
        }
        boolean quick = args[0].equals("quick");
        int rows = quick ? 100_000 : 500_000;
        int liveTx = quick ? 20 : 100;
        for (String a : Arrays.copyOfRange(args, 2, args.length)) {
            if (a.startsWith("rows=")) rows = Integer.parseInt(a.substring(5).replace("_", ""));
        }
        Path out = Files.createDirectories(Path.of(args[1]));
        ServerProcess.Launch launch = ServerProcess.Launch.fromEnvironment();
        Path work = Files.createTempDirectory("ampere-gzip-");
        List<Phase> phases = new ArrayList<>();
        try (Database db = Database.start()) {
            InitialSyncBenchmark.load(db, TABLE, rows);
            try (ServerProcess ampere = ServerProcess.ampere(launch, "gzip", db, work, Map.of())) {
                String base = "/v1/shape?table=" + TABLE;
                sync(ampere, base, false, "warm-up (creates the shape)", rows);
                sync(ampere, base, false, "warm-up", rows);
                phases.add(sync(ampere, base, false, "initial sync, identity", rows));
                phases.add(sync(ampere, base, true, "initial sync, gzip, first (makes the stored copies)", rows));
                phases.add(sync(ampere, base, true, "initial sync, gzip, from the stored copies", rows));
                phases.add(sync(ampere, base, false, "initial sync, identity, again", rows));
                int[] next = {rows + 1};
                live(ampere, db, base, false, 3, next, "warm-up");
                phases.add(live(ampere, db, base, false, liveTx, next, "live, identity"));
                phases.add(live(ampere, db, base, true, liveTx, next, "live, gzip"));
            }
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        StringBuilder json = new StringBuilder("{\"rows\": " + rows + ", \"live_transactions\": " + liveTx
                + ", \"live_rows_per_transaction\": " + LIVE_ROWS + ", \"phases\": [\n");
        for (int i = 0; i < phases.size(); i++) json.append("  ").append(phases.get(i).json()).append(i + 1 < phases.size() ? ",\n" : "\n");
        json.append("]}\n");
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "| %,d-row shape; live: %d transactions of %d rows | responses | bytes/row on the wire | vs identity"
                        + " | server CPU ms/response | wall ms |%n|---|---|---|---|---|---|%n", rows, liveTx, LIVE_ROWS));
        for (Phase p : phases) {
            md.append(String.format(Locale.ROOT, "| %s | %,d | %.1f | %.2f× | %.3f | %,.0f |%n", p.name(), p.responses(),
                    p.bytesPerRow(), (double) p.wireBytes() / p.identityBytes(), p.cpuMsPerResponse(), p.wallMs()));
        }
        Files.writeString(out.resolve("compression.json"), json);
        Files.writeString(out.resolve("compression.md"), md);
        System.out.print(md);
    }

    /** offset=-1, then every chunk until up-to-date, on one connection. */
    private static Phase sync(ServerProcess ampere, String base, boolean gzip, String name, int rows) throws Exception {
        try (HttpConnection c = new HttpConnection(ampere.port(), 300_000)) {
            if (gzip) c.acceptGzip();
            double cpu0 = cpuMs(ampere);
            long t0 = System.nanoTime();
            long responses = 0;
            long n = 0;
            long wire = 0;
            long identity = 0;
            HttpResponse r = c.get(base + "&offset=-1");
            while (true) {
                if (r.status() != 200) throw new IllegalStateException("status " + r.status());
                responses++;
                wire += r.body().length;
                byte[] body = decoded(r);
                identity += body.length;
                n += count(body);
                if (r.headers().containsKey("electric-up-to-date")) break;
                r = c.get(base + "&handle=" + r.headers().get("electric-handle") + "&offset="
                        + r.headers().get("electric-offset"));
            }
            double wall = (System.nanoTime() - t0) / 1e6;
            double cpu = cpuMs(ampere) - cpu0;
            if (n != rows) throw new IllegalStateException("the client got " + n + " rows, expected " + rows);
            Phase p = new Phase(name, responses, n, wire, identity, cpu, wall);
            System.out.println("gzip: " + p.json());
            return p;
        }
    }

    /** {@code transactions} inserts of {@link #LIVE_ROWS} rows, each fetched by a live request. */
    private static Phase live(ServerProcess ampere, Database db, String base, boolean gzip, int transactions,
                              int[] next, String name) throws Exception {
        try (HttpConnection c = new HttpConnection(ampere.port(), 60_000)) {
            if (gzip) c.acceptGzip();
            // Catch up to the end first (not measured).
            HttpResponse r = c.get(base + "&offset=-1");
            String handle = r.headers().get("electric-handle");
            while (!r.headers().containsKey("electric-up-to-date")) {
                r = c.get(base + "&handle=" + handle + "&offset=" + r.headers().get("electric-offset"));
            }
            String offset = r.headers().get("electric-offset");
            String cursor = "";
            double cpu0 = cpuMs(ampere);
            long t0 = System.nanoTime();
            long responses = 0;
            long rows = 0;
            long wire = 0;
            long identity = 0;
            for (int t = 0; t < transactions; t++) {
                int from = next[0];
                next[0] += LIVE_ROWS;
                db.execute("INSERT INTO " + TABLE + " SELECT i, i % 1000, 'live item ' || i, (i % 100000) / 100.0,"
                        + " now(), false, md5(i::text) || ' ' || md5((i * 7)::text) FROM generate_series(" + from
                        + ", " + (next[0] - 1) + ") i");
                long got = 0;
                while (got < LIVE_ROWS) {
                    r = c.get(base + "&handle=" + handle + "&offset=" + offset + "&live=true&cursor=" + cursor);
                    if (r.status() != 200) throw new IllegalStateException("status " + r.status());
                    responses++;
                    wire += r.body().length;
                    byte[] body = decoded(r);
                    identity += body.length;
                    got += count(body);
                    offset = r.headers().get("electric-offset");
                    cursor = r.headers().getOrDefault("electric-cursor", "");
                }
                rows += got;
            }
            double wall = (System.nanoTime() - t0) / 1e6;
            double cpu = cpuMs(ampere) - cpu0;
            Phase p = new Phase(name, responses, rows, wire, identity, cpu, wall);
            System.out.println("gzip: " + p.json());
            return p;
        }
    }

    private static byte[] decoded(HttpResponse r) throws IOException {
        if (!"gzip".equals(r.headers().get("content-encoding"))) return r.body();
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
            return in.readAllBytes();
        }
    }

    private static double cpuMs(ServerProcess p) {
        Duration d = ProcessHandle.of(p.pid()).orElseThrow().info().totalCpuDuration().orElseThrow();
        return d.toNanos() / 1e6;
    }

    private static final byte[] ROW = "\"operation\":\"insert\"".getBytes(StandardCharsets.US_ASCII);

    private static long count(byte[] body) {
        long n = 0;
        outer:
        for (int i = 0; i + ROW.length <= body.length; i++) {
            if (body[i] != ROW[0]) continue;
            for (int j = 1; j < ROW.length; j++) if (body[i + j] != ROW[j]) continue outer;
            n++;
            i += ROW.length - 1;
        }
        return n;
    }
}
