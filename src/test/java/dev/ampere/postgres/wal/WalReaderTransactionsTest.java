package dev.ampere.postgres.wal;

import dev.ampere.changes.Lsn;
import dev.ampere.changes.Change;
import dev.ampere.changes.LogOffset;
import dev.ampere.changes.Relation;
import dev.ampere.changes.TransactionFragment;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Transactions, keys, truncates and schema changes through real pgoutput (protocol 1). */
class WalReaderTransactionsTest {
    private static final String[] SETUP = {
        "CREATE TABLE items (id int4 PRIMARY KEY, title text, n int4)",
        "CREATE TABLE \"Other Table\" (a text, b int4)", // no primary key
        "CREATE TABLE pk2 (k1 text, k2 int4, v text, PRIMARY KEY (k2, k1))",
        "ALTER TABLE items REPLICA IDENTITY FULL",
        "ALTER TABLE \"Other Table\" REPLICA IDENTITY FULL",
        "ALTER TABLE pk2 REPLICA IDENTITY FULL",
        "CREATE PUBLICATION pub FOR TABLE items, \"Other Table\", pk2",
    };

    @Test
    void multiStatementTransactionGetsOffsetsStepping2AndFragments() throws Exception {
        try (ReplicationFixture fx = new ReplicationFixture(SETUP)) {
            fx.createSlot();
            fx.start(fx.options("pub").withFragmentSize(3));
            fx.exec("BEGIN",
                    "INSERT INTO items VALUES (1, 'a', 1), (2, 'b', 2)",
                    "UPDATE items SET title = 'a2' WHERE id = 1",
                    "INSERT INTO \"Other Table\" VALUES ('x/y', NULL)",
                    "DELETE FROM items WHERE id = 2",
                    "INSERT INTO pk2 VALUES ('one', 1, 'v')",
                    "COMMIT");
            List<Object> events = fx.eventsThroughNextTx();
            List<TransactionFragment> fragments = events.stream()
                    .filter(TransactionFragment.class::isInstance).map(TransactionFragment.class::cast).toList();
            assertEquals(2, fragments.size());
            assertTrue(fragments.get(0).first());
            assertEquals(3, fragments.get(0).changes().size());
            assertTrue(fragments.get(1).last());
            long commitLsn = fragments.getFirst().commitLsn();
            assertTrue(Long.compareUnsigned(fragments.get(1).endLsn(), commitLsn) > 0);
            List<Change> changes = new ReplicationFixture.Tx(fragments).changes();
            assertEquals(6, changes.size());
            for (int i = 0; i < changes.size(); i++) {
                assertEquals(LogOffset.of(commitLsn, 2L * i), changes.get(i).offset());
            }
            assertEquals("\"public\".\"items\"/\"1\"", ((Change.Insert) changes.get(0)).key());
            assertEquals(List.of("title"), ((Change.Update) changes.get(2)).changedColumns());
            assertEquals("\"public\".\"Other Table\"/\"x//y\"/_", ((Change.Insert) changes.get(3)).key());
            assertEquals("\"public\".\"items\"/\"2\"", ((Change.Delete) changes.get(4)).key());
            assertEquals("\"public\".\"pk2\"/\"1\"/\"one\"", ((Change.Insert) changes.get(5)).key(),
                    "key parts follow the primary key's order, not the column order");
            long relationsBeforeChanges = events.stream().takeWhile(e -> !(e instanceof TransactionFragment))
                    .filter(Relation.class::isInstance).count();
            assertEquals(2, relationsBeforeChanges, "items and Other Table described before the first fragment");
        }
    }

    @Test
    void updateChangingTheKeyCarriesOldKey() throws Exception {
        try (ReplicationFixture fx = new ReplicationFixture(SETUP)) {
            fx.exec("INSERT INTO items VALUES (1, 'a', 1)");
            fx.createSlot();
            fx.start(fx.options("pub"));
            fx.exec("UPDATE items SET id = 10 WHERE id = 1");
            Change.Update u = (Change.Update) fx.nextTx().changes().getFirst();
            assertEquals("\"public\".\"items\"/\"10\"", u.key());
            assertEquals("\"public\".\"items\"/\"1\"", u.oldKey());
            assertEquals(List.of("id"), u.changedColumns());
            assertEquals("1", u.oldRecord().value("id"));
            fx.exec("UPDATE items SET n = 5 WHERE id = 10");
            Change.Update same = (Change.Update) fx.nextTx().changes().getFirst();
            assertNull(same.oldKey());
            assertFalse(same.keyChanged());
        }
    }

    @Test
    void truncateOfSeveralTables() throws Exception {
        try (ReplicationFixture fx = new ReplicationFixture(SETUP)) {
            fx.createSlot();
            fx.start(fx.options("pub"));
            fx.exec("TRUNCATE items, \"Other Table\" RESTART IDENTITY");
            List<Change> changes = fx.nextTx().changes();
            assertEquals(2, changes.size());
            List<String> tables = changes.stream().map(c -> c.relation().table()).sorted().toList();
            assertEquals(List.of("Other Table", "items"), tables);
            for (Change c : changes) {
                Change.Truncate t = assertInstanceOf(Change.Truncate.class, c);
                assertTrue(t.restartIdentity());
                assertFalse(t.cascade());
            }
            assertEquals(0, changes.get(0).offset().op());
            assertEquals(2, changes.get(1).offset().op());
        }
    }

    @Test
    void addColumnProducesARelationEventBeforeTheNextChange() throws Exception {
        try (ReplicationFixture fx = new ReplicationFixture(SETUP)) {
            fx.createSlot();
            fx.start(fx.options("pub"));
            fx.exec("INSERT INTO items VALUES (1, 'a', 1)");
            Relation first = fx.nextRelation();
            assertEquals(List.of("id", "title", "n"), first.columnNames());
            fx.nextTx();
            fx.exec("ALTER TABLE items ADD COLUMN extra text DEFAULT 'd'", "INSERT INTO items VALUES (2, 'b', 2, 'e')");
            Relation second = fx.nextRelation();
            assertEquals(List.of("id", "title", "n", "extra"), second.columnNames());
            assertEquals(first.id(), second.id());
            assertFalse(first.equals(second));
            assertEquals(25, second.columns().get(3).typeOid());
            Change.Insert ins = (Change.Insert) fx.nextTx().changes().getFirst();
            assertEquals("e", ins.record().value("extra"));
            assertTrue(ins.relation() == second || ins.relation().equals(second));
        }
    }

    @Test
    void anInterruptStopsTheReader() throws Exception {
        try (ReplicationFixture fx = new ReplicationFixture(SETUP)) {
            fx.createSlot();
            fx.start(fx.options("pub"));
            fx.exec("INSERT INTO items VALUES (1, 'a', 1)");
            fx.nextTx();
            fx.interruptReaderAndAwaitExit();
        }
    }

    @Test
    void lastReceivedLsnMovesWithTheStream() throws Exception {
        try (ReplicationFixture fx = new ReplicationFixture(SETUP)) {
            fx.createSlot();
            WalReader reader = fx.start(fx.options("pub"));
            fx.exec("INSERT INTO items VALUES (1, 'a', 1)");
            ReplicationFixture.Tx tx = fx.nextTx();
            Lsn received = reader.lastReceivedLsn();
            assertTrue(received.compareTo(new Lsn(tx.commitLsn())) >= 0, received + " vs commit " + new Lsn(tx.commitLsn()));
        }
    }
}
