package dev.ampere.bench.replication;

import dev.ampere.postgres.EmbeddedPostgresServer;
import dev.ampere.changes.Lsn;
import dev.ampere.postgres.wal.ReplicationConnections;
import dev.ampere.postgres.wal.WalReader;
import dev.ampere.postgres.wal.WalReaderOptions;
import dev.ampere.postgres.wal.ChangeSink;
import dev.ampere.changes.Relation;
import dev.ampere.changes.TransactionFragment;
import org.postgresql.PGConnection;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end ingest benchmark (not JMH): writes a workload of small transactions into an embedded Postgres, then
 * drains identical slots once with {@code pg_recvlogical} (pgoutput, proto 1, to /dev/null, until the end LSN)
 * and once with {@link WalReader} + assembler and a sink that only acknowledges, and prints both rates and their
 * ratio. Rounds alternate the order to spread the machine's noise.
 *
 * <p>Usage: {@code java --enable-preview -cp target/bench/benchmarks.jar
 * dev.ampere.bench.replication.ReplicationDrainBenchmark [rows] [rowsPerTransaction] [rounds]}
 * (defaults 200000, 50, 2). Needs {@code pg_recvlogical} from {@code /usr/lib/postgresql/15/bin} or
 * {@code PG_BIN}. Run a copy of the jar from a directory without {@code libs/}: the shaded jar's manifest
 * Class-Path also pulls {@code target/bench/libs}, and zonky refuses the duplicate Postgres binaries.
 */
public final class ReplicationDrainBenchmark {
    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int perTx = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path recvlogical = Path.of(System.getenv().getOrDefault("PG_BIN", "/usr/lib/postgresql/15/bin"), "pg_recvlogical");
        int transactions = rows / perTx;
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(null, 0);
             Connection admin = DriverManager.getConnection(pg.jdbcUrl()); Statement s = admin.createStatement()) {
            s.execute("CREATE TABLE bench (id int8 PRIMARY KEY, title text, price numeric, created_at timestamptz,"
                    + " active bool)");
            s.execute("ALTER TABLE bench REPLICA IDENTITY FULL");
            s.execute("CREATE PUBLICATION bench_pub FOR TABLE bench");
            List<String> slots = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                for (String kind : new String[]{"recv", "ampere"}) {
                    String slot = kind + "_" + r;
                    s.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
                    slots.add(slot);
                }
            }
            long t0 = System.nanoTime();
            s.execute("DO $$ BEGIN FOR t IN 0.." + (transactions - 1) + " LOOP"
                    + " INSERT INTO bench SELECT t * " + perTx + " + g, 'title number ' || g, g * 1.25, now(), g % 2 = 0"
                    + " FROM generate_series(1, " + perTx + ") g; COMMIT; END LOOP; END $$");
            double writeSeconds = (System.nanoTime() - t0) / 1e9;
            Lsn end = Lsn.parse(one(s, "SELECT pg_current_wal_lsn()::text"));
            System.out.printf("workload: %,d rows in %,d transactions of %d, written in %.2f s; end LSN %s%n",
                    rows, transactions, perTx, writeSeconds, end);

            List<double[]> results = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                boolean recvFirst = r % 2 == 0;
                double recv = 0;
                double ours = 0;
                for (int step = 0; step < 2; step++) {
                    if ((step == 0) == recvFirst) {
                        recv = drainWithRecvlogical(recvlogical, pg.port(), "recv_" + r, end);
                    } else {
                        ours = drainWithWalReader(pg.jdbcUrl(), "ampere_" + r, transactions);
                    }
                }
                results.add(new double[]{recv, ours});
                System.out.printf("round %d: pg_recvlogical %.3f s (%,.0f rows/s), WalReader %.3f s (%,.0f rows/s),"
                        + " ratio %.2f%n", r + 1, recv, rows / recv, ours, rows / ours, recv / ours);
            }
            double recvBest = results.stream().mapToDouble(x -> x[0]).min().orElseThrow();
            double oursBest = results.stream().mapToDouble(x -> x[1]).min().orElseThrow();
            System.out.printf("best: pg_recvlogical %,.0f rows/s (%,.0f messages/s), WalReader %,.0f rows/s"
                            + " (%,.0f messages/s); WalReader/pg_recvlogical = %.2f%n",
                    rows / recvBest, (rows + 2.0 * transactions) / recvBest, rows / oursBest,
                    (rows + 2.0 * transactions) / oursBest, recvBest / oursBest);
            for (String slot : slots) s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    private static double drainWithRecvlogical(Path binary, int port, String slot, Lsn end) throws Exception {
        List<String> cmd = List.of(binary.toString(), "-d",
                "host=localhost port=" + port + " user=postgres dbname=postgres", "--slot", slot, "--start",
                "-o", "proto_version=1", "-o", "publication_names=bench_pub", "-E", end.toString(),
                "--no-loop", "-f", "/dev/null");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("pg_recvlogical failed: exit " + p.exitValue());
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double drainWithWalReader(String jdbcUrl, String slot, int transactions) throws Exception {
        Path spill = Files.createTempDirectory("drain-spill");
        long t0 = System.nanoTime();
        try (Connection repl = ReplicationConnections.open(jdbcUrl, new Properties())) {
            WalReader[] reader = new WalReader[1];
            int[] commits = {0};
            ChangeSink sink = new ChangeSink() {
                @Override
                public void onRelation(Relation relation) {}

                @Override
                public void onFragment(TransactionFragment fragment) {
                    if (!fragment.last()) return;
                    reader[0].durable(fragment.commitLsn());
                    if (++commits[0] == transactions) reader[0].stop();
                }
            };
            reader[0] = new WalReader(repl.unwrap(PGConnection.class), WalReaderOptions.of(slot, "bench_pub")
                    .withSpillDirectory(spill), r -> List.of("id"), sink);
            reader[0].run();
        } finally {
            Files.deleteIfExists(spill);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String one(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
