package dev.ampere.postgres.wal;

import dev.ampere.changes.Change;
import dev.ampere.postgres.wal.ChangeSink;
import dev.ampere.changes.Relation;
import dev.ampere.changes.TransactionFragment;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * LSNs above 2^63 (negative as a signed long): a separate throw-away cluster whose WAL was moved there with
 * {@code pg_resetwal -l}. Needs the system Postgres 15 binaries and the {@code postgres} OS user (pg_resetwal
 * refuses root); skipped where they are missing.
 */
class WalReaderHighLsnTest {
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    /** Timeline 1, log 0x80000000, segment 1: LSN 80000000/01000000. */
    private static final String FAR_WAL_SEGMENT = "000000018000000000000001";

    @Test
    void lsnsAbove2To63AreCarriedUnsignedEndToEnd() throws Exception {
        assumeTrue(Files.isExecutable(BIN.resolve("pg_resetwal")) && Files.isExecutable(Path.of("/usr/sbin/runuser")),
                "system Postgres 15 binaries and runuser needed");
        UserPrincipalLookupService users = Path.of("/").getFileSystem().getUserPrincipalLookupService();
        var postgresUser = users.lookupPrincipalByName("postgres");
        Path dir = Files.createTempDirectory("ampere-highlsn");
        Files.setOwner(dir, postgresUser);
        Path data = dir.resolve("data");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try {
            run("initdb", "-D", data.toString(), "-A", "trust", "-U", "postgres", "--no-sync");
            run("pg_resetwal", "-l", FAR_WAL_SEGMENT, "-D", data.toString());
            run("pg_ctl", "-D", data.toString(), "-w", "-l", dir.resolve("log").toString(), "-o",
                    "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c wal_level=logical"
                            + " -c max_wal_senders=4 -c max_replication_slots=4 -c fsync=off", "start");
            String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
            try (Connection admin = DriverManager.getConnection(url); Statement s = admin.createStatement()) {
                assertEquals("t", one(s, "SELECT pg_current_wal_lsn() > '80000000/00000000'::pg_lsn"));
                s.execute("CREATE TABLE t (id int4 PRIMARY KEY)");
                s.execute("ALTER TABLE t REPLICA IDENTITY FULL");
                s.execute("CREATE PUBLICATION pub FOR TABLE t");
                s.execute("SELECT pg_create_logical_replication_slot('far', 'pgoutput')");
                BlockingQueue<TransactionFragment> got = new LinkedBlockingQueue<>();
                try (Connection repl = ReplicationConnections.open(url, new Properties())) {
                    WalReader[] reader = new WalReader[1];
                    reader[0] = new WalReader(repl.unwrap(PGConnection.class), WalReaderOptions.of("far", "pub")
                            .withProtoVersion(2), r -> List.of("id"), new ChangeSink() {
                        @Override
                        public void onRelation(Relation relation) {}

                        @Override
                        public void onFragment(TransactionFragment f) {
                            got.add(f);
                            if (f.last()) reader[0].durable(f.commitLsn());
                        }
                    });
                    Thread t = Thread.ofPlatform().start(() -> {
                        try {
                            reader[0].run();
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
                    s.execute("INSERT INTO t VALUES (1)");
                    TransactionFragment f = got.poll(60, TimeUnit.SECONDS);
                    assertNotNull(f);
                    assertTrue(f.commitLsn() < 0, "the commit LSN is above 2^63: negative as a signed long");
                    Change c = f.changes().getFirst();
                    String tx = c.offset().toString().split("_")[0];
                    assertEquals(Long.toUnsignedString(f.commitLsn()), tx);
                    assertEquals(new dev.ampere.changes.Lsn(f.commitLsn()).toString(),
                            one(s, "SELECT pg_lsn('0/0') + " + tx + " - 0"), "the decimal offset is the server's LSN");
                    String end = new dev.ampere.changes.Lsn(f.endLsn()).toString();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (!"t".equals(one(s, "SELECT confirmed_flush_lsn >= '" + end + "' FROM pg_replication_slots"))) {
                        assertTrue(System.nanoTime() < deadline, "slot advanced to " + end);
                        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
                    }
                    reader[0].stop();
                    t.join();
                }
                s.execute("SELECT pg_drop_replication_slot('far')");
            }
        } finally {
            try {
                run("pg_ctl", "-D", data.toString(), "-m", "immediate", "stop");
            } catch (AssertionError | IOException ignored) {
                // the cluster may not have started; the directory goes anyway
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String one(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    private static void run(String binary, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/sbin/runuser", "-u", "postgres", "--",
                BIN.resolve(binary).toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(binary + " failed: " + out);
        }
    }
}
