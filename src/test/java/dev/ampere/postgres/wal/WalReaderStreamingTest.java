package dev.ampere.postgres.wal;

import dev.ampere.postgres.wal.AssemblerStats;
import dev.ampere.changes.Change;
import dev.ampere.postgres.wal.ChangeSink;
import dev.ampere.changes.LogOffset;
import dev.ampere.changes.Relation;
import dev.ampere.changes.TransactionFragment;
import dev.ampere.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Protocol 2 with streaming=on: large transactions are spilled, replayed on commit, dropped on abort. */
class WalReaderStreamingTest {
    private static final String SMALL_DECODING_MEMORY = "SET logical_decoding_work_mem = '64kB'";
    private static final String[] SETUP = {
        "CREATE TABLE big (id int4 PRIMARY KEY, label text)",
        "ALTER TABLE big REPLICA IDENTITY FULL",
        "CREATE PUBLICATION pub FOR TABLE big",
    };

    @Test
    void rolledBackSubtransactionAndAbortedTransactionAreDropped() throws Exception {
        try (ReplicationFixture fx = new ReplicationFixture(SETUP)) {
            fx.createSlot();
            WalReader reader = fx.start(fx.options("pub").withProtoVersion(2).withFragmentSize(100), new Properties(),
                    SMALL_DECODING_MEMORY);
            fx.exec("BEGIN",
                    "INSERT INTO big SELECT g, 'keep ' || g FROM generate_series(1, 5000) g",
                    "SAVEPOINT s1",
                    "INSERT INTO big SELECT g, 'gone ' || g FROM generate_series(100001, 105000) g",
                    "ROLLBACK TO SAVEPOINT s1",
                    "INSERT INTO big SELECT g, 'late ' || g FROM generate_series(5001, 5010) g",
                    "COMMIT");
            ReplicationFixture.Tx tx = fx.nextTx();
            List<Change> changes = tx.changes();
            assertEquals(5010, changes.size());
            for (int i = 0; i < changes.size(); i++) {
                Change.Insert ins = (Change.Insert) changes.get(i);
                assertEquals(LogOffset.of(tx.commitLsn(), 2L * i), ins.offset());
                assertEquals(Integer.toString(i + 1), ins.record().value("id"));
            }
            assertTrue(tx.fragments().stream().allMatch(f -> f.changes().size() <= 100));
            assertEquals(1, reader.stats().streamedCommits());
            assertTrue(reader.stats().spilledMessages() >= 5000, "spilled " + reader.stats().spilledMessages());

            fx.exec("BEGIN", "INSERT INTO big SELECT g, 'x' FROM generate_series(200001, 210000) g", "ROLLBACK");
            fx.exec("INSERT INTO big VALUES (-1, 'after')");
            ReplicationFixture.Tx after = fx.nextTx();
            assertEquals(1, after.changes().size(), "the aborted transaction delivered nothing");
            assertEquals("-1", ((Change.Insert) after.changes().getFirst()).record().value("id"));
            assertEquals(1, reader.stats().streamedAborts());
            try (Stream<Path> files = Files.list(fx.spillDir)) {
                assertEquals(0, files.count(), "no spill file left behind");
            }
        }
    }

    /**
     * One million rows in one transaction: they arrive streamed before the commit, go to the spill file, and are
     * replayed in fragments that the sink counts and drops. Memory held by the assembler is one fragment.
     */
    @Test
    void millionRowTransactionStaysBounded() throws Exception {
        int rows = 1_000_000;
        int fragmentSize = 1000;
        String db = TestDatabase.createDatabase();
        String slot = "slot_" + db;
        try (Connection admin = TestDatabase.connect(db); Statement s = admin.createStatement()) {
            for (String q : SETUP) s.execute(q);
            s.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            Path spill = Files.createTempDirectory("ampere-spill-1m");
            CountingSink sink = new CountingSink(spill);
            try (Connection repl = ReplicationConnections.open(TestDatabase.jdbcUrl(db), new Properties())) {
                try (Statement rs = repl.createStatement()) {
                    rs.execute(SMALL_DECODING_MEMORY);
                }
                WalReader reader = new WalReader(repl.unwrap(PGConnection.class),
                        WalReaderOptions.of(slot, "pub").withProtoVersion(2).withFragmentSize(fragmentSize)
                                .withSpillDirectory(spill), r -> List.of("id"), sink);
                sink.reader = reader;
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread t = Thread.ofPlatform().start(() -> {
                    try {
                        reader.run();
                    } catch (Throwable e) {
                        failure.set(e);
                        sink.done.countDown();
                    }
                });
                s.execute("INSERT INTO big SELECT g, 'row number ' || g FROM generate_series(1, " + rows + ") g");
                assertTrue(sink.done.await(5, TimeUnit.MINUTES), "transaction delivered");
                reader.stop();
                t.join();
                assertNull(failure.get());

                assertEquals(rows, sink.changes);
                assertEquals(rows / fragmentSize, sink.fragments);
                assertEquals(2L * (rows - 1), sink.lastOffset.op());
                assertTrue(sink.sawSpillFileBeforeReplay, "the transaction was on disk before its commit arrived");
                // Holding the transaction as Changes would take ~300 MB; mid-replay the live heap is far below that.
                System.out.printf("heap in use after GC, mid-replay: %d MB%n", sink.heapMidReplay >> 20);
                assertTrue(sink.heapMidReplay < 128L << 20, "heap mid-replay " + (sink.heapMidReplay >> 20) + " MB");
                AssemblerStats stats = reader.stats();
                assertTrue(stats.spilledMessages() >= rows * 0.9, "spilled " + stats.spilledMessages());
                assertTrue(stats.peakBufferedChanges() <= fragmentSize, "peak " + stats.peakBufferedChanges());
                assertEquals(1, stats.streamedCommits());
                try (Stream<Path> files = Files.list(spill)) {
                    assertEquals(0, files.count());
                }
            } finally {
                s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
            }
        }
    }

    /** Counts and drops what it gets, checking order; notes whether a spill file existed at the first fragment. */
    private static final class CountingSink implements ChangeSink {
        final CountDownLatch done = new CountDownLatch(1);
        final Path spill;
        WalReader reader;
        long changes;
        long fragments;
        LogOffset lastOffset = LogOffset.BEFORE_ALL;
        boolean sawSpillFileBeforeReplay;
        long heapMidReplay;

        CountingSink(Path spill) {
            this.spill = spill;
        }

        @Override
        public void onRelation(Relation relation) {}

        @Override
        public void onFragment(TransactionFragment fragment) {
            if (fragment.first()) {
                try (Stream<Path> files = Files.list(spill)) {
                    sawSpillFileBeforeReplay = files.findAny().isPresent();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            fragments++;
            if (fragments == 500) {
                System.gc();
                heapMidReplay = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            }
            for (Change c : fragment.changes()) {
                if (!c.offset().isAfter(lastOffset)) throw new AssertionError("offsets out of order at " + c.offset());
                lastOffset = c.offset();
                changes++;
            }
            if (fragment.last()) {
                reader.durable(fragment.commitLsn());
                done.countDown();
            }
        }
    }
}
