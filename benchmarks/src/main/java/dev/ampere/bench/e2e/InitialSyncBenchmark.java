package dev.ampere.bench.e2e;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.List;
import java.util.Map;

/**
 * Initial sync against its limit, in one run (benchmarks/README.md, "Initial sync"): loads a table of N rows with
 * seven typical columns into an embedded Postgres, measures pgjdbc's {@code COPY (SELECT ...) TO STDOUT} of the
 * whole table (reading every row) as the limit, then a first client's initial sync of a new shape of the whole table
 * from Ampere (its jar, its own JVM, real HTTP: {@code offset=-1}, then every chunk until {@code electric-up-to-date}),
 * and a second client of the same shape (served from storage). Each figure is the median of three runs in rows/s;
 * each Ampere run uses a new shape ({@code where=id >= -k}, every row) on the same Ampere instance.
 *
 * <p>Usage: {@code InitialSyncBenchmark <quick|full> <results-dir> [rows=N]} (quick: 200,000 rows; full: 1,000,000).
 * Writes {@code initial-sync.json} and {@code initial-sync.md}. Single-threaded.
 */
public final class InitialSyncBenchmark {
    private static final int RUNS = 3;
    private static final String TABLE = "sync_items";
    private InitialSyncBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: InitialSyncBenchmark <quick|full> <results-dir> [rows=N]");
            System.exit(2);
        }
        int rows = args[0].equals("quick") ? 200_000 : 1_000_000;
        for (String a : Arrays.copyOfRange(args, 2, args.length)) {
            if (a.startsWith("rows=")) rows = Integer.parseInt(a.substring(5).replace("_", ""));
        }
        Path out = Files.createDirectories(Path.of(args[1]));
        ServerProcess.Launch launch = ServerProcess.Launch.fromEnvironment();
        Path work = Files.createTempDirectory("ampere-sync-");

        double[] copy = new double[RUNS];
        double[] first = new double[RUNS];
        double[] second = new double[RUNS];
        try (Database db = Database.start()) {
            long t0 = System.nanoTime();
            load(db, rows);
            System.out.printf("sync: loaded %,d rows in %.1f s%n", rows, (System.nanoTime() - t0) / 1e9);
            for (int r = 0; r < RUNS; r++) {
                copy[r] = copyRate(db, rows);
                System.out.printf("sync: pgjdbc COPY TO STDOUT run %d: %,.0f rows/s%n", r + 1, copy[r]);
            }
            try (ServerProcess ampere = ServerProcess.ampere(launch, "sync", db, work, Map.of())) {
                for (int r = 0; r < RUNS; r++) {
                    String where = "id >= " + -(r + 1);
                    first[r] = syncRate(ampere.port(), where, rows);
                    second[r] = syncRate(ampere.port(), where, rows);
                    System.out.printf("sync: Ampere run %d: first client %,.0f rows/s, second client %,.0f rows/s%n",
                            r + 1, first[r], second[r]);
                }
            }
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        double limit = median(copy);
        double ampere = median(first);
        double stored = median(second);
        String json = String.format(Locale.ROOT, """
                {"rows": %d, "runs": %d, "copy_rows_per_s": %s, "first_client_rows_per_s": %s,
                 "second_client_rows_per_s": %s, "copy_median": %.0f, "first_client_median": %.0f,
                 "second_client_median": %.0f, "ratio_first_to_copy": %.3f}
                """, rows, RUNS, Arrays.toString(round(copy)), Arrays.toString(round(first)),
                Arrays.toString(round(second)), limit, ampere, stored, ampere / limit);
        String md = String.format(Locale.ROOT, """
                | %,d rows, median of %d | rows/s | vs COPY |
                |---|---|---|
                | pgjdbc `COPY (SELECT …) TO STDOUT` (limit) | %,.0f | 1.00× |
                | Ampere initial sync, first client | %,.0f | %.2f× |
                | Ampere, second client (from storage) | %,.0f | %.2f× |
                """, rows, RUNS, limit, ampere, ampere / limit, stored, stored / limit);
        Files.writeString(out.resolve("initial-sync.json"), json);
        Files.writeString(out.resolve("initial-sync.md"), md);
        System.out.print(md);
    }

    /** Seven typical columns: bigint key, int, text, numeric, timestamptz, bool, a longer text. */
    private static void load(Database db, int rows) throws Exception {
        load(db, TABLE, rows);
    }

    /** Creates and fills {@code table} with the seven typical columns (shared with {@link CompressionBenchmark}). */
    static void load(Database db, String table, int rows) throws Exception {
        db.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, owner int NOT NULL, title text,"
                + " amount numeric(12,2), created_at timestamptz, done bool, payload text)",
                "INSERT INTO " + table + " SELECT i, i % 1000, 'item ' || i, (i % 100000) / 100.0,"
                        + " timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second', i % 3 = 0,"
                        + " md5(i::text) || ' ' || md5((i * 7)::text) FROM generate_series(1, " + rows + ") i",
                "VACUUM ANALYZE " + table);
    }

    private static double copyRate(Database db, int rows) throws Exception {
        try (Connection c = db.connect()) {
            long t0 = System.nanoTime();
            CopyOut out = c.unwrap(PGConnection.class).getCopyAPI()
                    .copyOut("COPY (SELECT id, owner, title, amount, created_at, done, payload FROM " + TABLE
                            + ") TO STDOUT");
            long n = 0;
            while (out.readFromCopy() != null) n++;
            double s = (System.nanoTime() - t0) / 1e9;
            if (n != rows) throw new IllegalStateException("COPY read " + n + " rows, expected " + rows);
            return n / s;
        }
    }

    /** One client: offset=-1, then each chunk until up-to-date; rows per second from the first request. */
    private static double syncRate(int port, String where, int rows) throws Exception {
        String base = "/v1/shape?table=" + TABLE + "&where=" + URLEncoder.encode(where, StandardCharsets.UTF_8);
        try (HttpConnection c = new HttpConnection(port, 300_000)) {
            long t0 = System.nanoTime();
            HttpResponse r = c.get(base + "&offset=-1");
            long n = 0;
            while (true) {
                if (r.status() != 200) throw new IllegalStateException("status " + r.status() + ": "
                        + new String(r.body(), StandardCharsets.UTF_8));
                n += count(r.body());
                if (r.has("electric-up-to-date")) break;
                r = c.get(base + "&handle=" + r.header("electric-handle") + "&offset=" + r.header("electric-offset"));
            }
            double s = (r.completedNanos() - t0) / 1e9;
            if (n != rows) throw new IllegalStateException("the client got " + n + " rows, expected " + rows);
            return n / s;
        }
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

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static long[] round(double[] v) {
        return Arrays.stream(v).mapToLong(Math::round).toArray();
    }
}
