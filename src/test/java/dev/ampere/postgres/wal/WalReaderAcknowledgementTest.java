package dev.ampere.postgres.wal;

import dev.ampere.changes.Lsn;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The slot advances only to what the sink reported durable, at commit boundaries. */
class WalReaderAcknowledgementTest {

    @Test
    void confirmedFlushFollowsDurableReportsOnly() throws Exception {
        try (ReplicationFixture fx = new ReplicationFixture(
                "CREATE TABLE t (id int4 PRIMARY KEY)", "CREATE PUBLICATION pub FOR TABLE t")) {
            fx.createSlot();
            fx.autoDurable = false;
            WalReader reader = fx.start(fx.options("pub").withStatusInterval(Duration.ofMillis(100)), new Properties());
            fx.exec("INSERT INTO t VALUES (1)");
            ReplicationFixture.Tx tx1 = fx.nextTx();
            fx.exec("INSERT INTO t VALUES (2)");
            ReplicationFixture.Tx tx2 = fx.nextTx();
            Lsn end1 = new Lsn(tx1.fragments().getLast().endLsn());
            Lsn end2 = new Lsn(tx2.fragments().getLast().endLsn());
            Lsn commit1 = new Lsn(tx1.commitLsn());

            // Nothing reported: even after further status updates the slot stays before the first commit.
            awaitNextStatusUpdate(fx);
            awaitNextStatusUpdate(fx);
            assertEquals("t", fx.queryString("SELECT confirmed_flush_lsn <= '" + commit1 + "'::pg_lsn FROM pg_replication_slots"
                    + " WHERE slot_name = '" + fx.slot + "'"));

            reader.durable(tx1.commitLsn());
            fx.awaitTrue("SELECT confirmed_flush_lsn = '" + end1 + "'::pg_lsn FROM pg_replication_slots WHERE slot_name = '"
                    + fx.slot + "'");
            // tx2 is still unreported: more status updates go out, the slot stays at the end of tx1.
            awaitNextStatusUpdate(fx);
            awaitNextStatusUpdate(fx);
            assertEquals(end1.toString(), fx.confirmedFlushLsn());
            assertEquals(end1, reader.lastAcknowledgedLsn());

            reader.durable(tx2.commitLsn());
            fx.awaitTrue("SELECT confirmed_flush_lsn >= '" + end2 + "'::pg_lsn FROM pg_replication_slots WHERE slot_name = '"
                    + fx.slot + "'");
        }
    }

    @Test
    void anIdleSlotAdvancesPastWritesItDoesNotPublish() throws Exception {
        try (ReplicationFixture fx = new ReplicationFixture("CREATE TABLE t (id int4 PRIMARY KEY)",
                "CREATE TABLE unpublished (id int4)", "CREATE PUBLICATION pub FOR TABLE t")) {
            fx.createSlot();
            fx.start(fx.options("pub").withStatusInterval(Duration.ofMillis(100)), new Properties());
            fx.exec("INSERT INTO unpublished SELECT generate_series(1, 1000)");
            String after = fx.queryString("SELECT pg_current_wal_lsn()");
            fx.awaitTrue("SELECT confirmed_flush_lsn >= '" + after + "'::pg_lsn FROM pg_replication_slots WHERE slot_name = '"
                    + fx.slot + "'");
        }
    }

    /** Waits until the walsender records a standby status reply newer than the current one. */
    private static void awaitNextStatusUpdate(ReplicationFixture fx) throws Exception {
        String before = fx.queryString("SELECT coalesce(max(reply_time), '-infinity')::text FROM pg_stat_replication"
                + " WHERE application_name IS NOT NULL");
        fx.awaitTrue("SELECT coalesce(max(reply_time), '-infinity') > '" + before + "'::timestamptz FROM pg_stat_replication");
    }
}
