package dev.ampere.shapes;

import dev.ampere.changes.Change;
import dev.ampere.changes.TransactionFragment;
import dev.ampere.postgres.TableInfo;
import dev.ampere.shapecache.storage.LogItem;
import dev.ampere.shapecache.storage.SnapshotInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.ampere.shapes.ShapeDefinition.Replica.DEFAULT;
import static dev.ampere.shapes.ShapeFixtures.ITEMS;
import static dev.ampere.shapes.ShapeFixtures.assertJson;
import static dev.ampere.shapes.ShapeFixtures.j;
import static dev.ampere.shapes.ShapeFixtures.row;
import static dev.ampere.shapes.ShapeFixtures.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transaction by transaction (docs/protocol.md §1.11, §3.6): snapshot filtering, {@code "last":true} on the shape's
 * last item of each transaction however the transaction is fragmented, truncates and stream restarts. Fragments
 * and matches are what the log collector's router delivers for the shape {@code n > 10} on {@code public.items}:
 * matches are computed with the where clause ({@link ShapeFixtures#matches}); a fragment without a match is
 * delivered only when it ends a transaction the shape saw ({@link ConsumerMessages.Deliver}).
 */
class TransactionLogTest {
    private static final ShapeDefinition SHAPE = shape(ITEMS, "n > 10", null, DEFAULT);
    /** Another table, whose changes share the transactions of the shape's table. */
    private static final TableInfo OTHER = ShapeFixtures.table("public", "other", 99, List.of("id"), "id:int4");

    private final TransactionLog log = new TransactionLog(new ShapeChangeConverter(SHAPE));

    private void known(long xmin, long xmax, long... xip) {
        log.snapshotKnown(new SnapshotInfo(xmin, xmax, xip));
    }

    private TransactionLog.Step accept(long xid, ShapeFixtures.Tx tx, List<Change> changes, boolean first,
                                       boolean last) {
        TransactionFragment f = ShapeFixtures.fragment(xid, tx, changes, first, last);
        return log.accept(f, ShapeFixtures.matches(SHAPE, changes));
    }

    /** A whole transaction, one fragment, inserting rows of the shape with the given ids. */
    private TransactionLog.Step insertTx(long xid, long lsn, String... ids) {
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, lsn);
        List<Change> changes = new ArrayList<>();
        for (String id : ids) changes.add(tx.insert(id, null, "20", null));
        return accept(xid, tx, changes, true, true);
    }

    /** Each item as {@code offset operation}, plus {@code +last} when it carries the mark. */
    private static List<String> summary(List<LogItem> items) {
        return items.stream().map(i -> i.offset() + " " + i.operation().name().toLowerCase()
                + (ShapeFixtures.json(i).endsWith(",\"last\":true}}") ? " +last" : "")).toList();
    }

    private static void assertStep(TransactionLog.Step step, List<String> items, boolean ended, boolean wrote) {
        assertEquals(items, summary(step.items()));
        assertFalse(step.truncated(), "truncated");
        assertEquals(ended, step.transactionEnded(), "transactionEnded");
        assertEquals(wrote, step.wroteInTransaction(), "wroteInTransaction");
    }

    private static void assertNoMarkInside(List<LogItem> items) {
        for (LogItem i : items) assertFalse(ShapeFixtures.json(i).contains("\"last\""), ShapeFixtures.json(i));
    }

    @Test
    void fragmentsBeforeTheSnapshotBoundsAreRefused() {
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 1000);
        TransactionFragment f = ShapeFixtures.fragment(5, tx, List.of(tx.insert("1", null, "20", null)), true, true);
        assertFalse(log.isSnapshotKnown());
        assertThrows(IllegalStateException.class, () -> log.accept(f, new int[]{ConsumerMessages.match(0, false, true)}));
        known(1, 1);
        assertTrue(log.isSnapshotKnown());
    }

    // ---- last ----

    @Test
    void singleFragmentTransactionMarksOnlyItsLastItem() {
        known(1, 1);
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 23_803_720L);
        List<Change> changes = List.of(
                tx.insert("1", "a", "20", null),
                tx.insert("2", "b", "5", null),                       // outside the where: not matched
                tx.on(OTHER).insert("7"),                              // another table: not matched
                tx.update(row("3", "c", "20", null), row("3", "d", "20", null)),
                tx.delete("4", null, "30", null));
        int[] matches = ShapeFixtures.matches(SHAPE, changes);
        assertArrayEquals(new int[]{ConsumerMessages.match(0, false, true), ConsumerMessages.match(3, true, true),
                ConsumerMessages.match(4, true, false)}, matches);
        TransactionLog.Step step = log.accept(ShapeFixtures.fragment(777, tx, changes, true, true), matches);
        assertStep(step, List.of("23803720_0 insert", "23803720_6 update", "23803720_8 delete +last"), true, true);
        assertJson(j("{'key':'\\'public\\'.\\'items\\'/\\'4\\'','value':{'id':'4'},'headers':{'operation':'delete',"
                + "'relation':['public','items'],'lsn':'23803720','op_position':8,'txids':[777],'last':true}}"),
                step.items().get(2).json());
        assertNoMarkInside(step.items().subList(0, 2));
    }

    @Test
    void theMarkFollowsTheItemAcrossFragments() {
        known(1, 1);
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 5000);
        TransactionLog.Step s1 = accept(300, tx, List.of(tx.insert("1", null, "20", null),
                tx.insert("2", null, "20", null)), true, false);
        assertStep(s1, List.of("5000_0 insert"), false, true);
        TransactionLog.Step s2 = accept(300, tx, List.of(tx.insert("3", null, "20", null)), false, false);
        assertStep(s2, List.of("5000_2 insert"), false, true);
        TransactionLog.Step s3 = accept(300, tx, List.of(tx.insert("4", null, "20", null)), false, true);
        assertStep(s3, List.of("5000_4 insert", "5000_6 insert +last"), true, true);
    }

    @Test
    void aLastFragmentWithoutMatchesMarksTheHeldBackItem() {
        known(1, 1);
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 5000);
        assertStep(accept(300, tx, List.of(tx.insert("1", null, "20", null), tx.insert("2", null, "20", null)),
                true, false), List.of("5000_0 insert"), false, true);
        List<Change> end = List.of(tx.insert("3", null, "5", null), tx.on(OTHER).insert("9"));
        assertArrayEquals(new int[0], ShapeFixtures.matches(SHAPE, end));
        TransactionLog.Step s = accept(300, tx, end, false, true);
        assertStep(s, List.of("5000_2 insert +last"), true, true);
        assertJson(j("{'key':'\\'public\\'.\\'items\\'/\\'2\\'','value':{'id':'2','title':null,'n':'20','body':null},"
                + "'headers':{'operation':'insert','relation':['public','items'],'lsn':'5000','op_position':2,"
                + "'txids':[300],'last':true}}"), s.items().getFirst().json());
    }

    @Test
    void anEmptyLastFragmentMarksTheHeldBackItem() {
        known(1, 1);
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 5000);
        accept(300, tx, List.of(tx.insert("1", null, "20", null)), true, false);
        assertStep(accept(300, tx, List.of(), false, true), List.of("5000_0 insert +last"), true, true);
    }

    @Test
    void matchesThatProduceNothingLeaveTheMarkOnTheEarlierItem() {
        known(1, 1);
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 5000);
        assertStep(accept(300, tx, List.of(tx.insert("1", "a", "20", null)), true, false), List.of(), false, false);
        // Matched updates that change nothing: no item, the held-back insert stays held.
        Change.Update noop = tx.update(row("1", "a", "20", null), row("1", "a", "20", null));
        assertStep(accept(300, tx, List.of(noop), false, false), List.of(), false, false);
        Change.Update noop2 = tx.update(row("1", "a", "20", null), row("1", "a", "20", null));
        assertStep(accept(300, tx, List.of(noop2), false, true), List.of("5000_0 insert +last"), true, true);
    }

    @Test
    void keyChangeInsertHalfIsTheLastItem() {
        known(1, 1);
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 5000);
        TransactionLog.Step s = accept(300, tx, List.of(tx.update(row("1", "a", "20", null),
                row("2", "a", "20", null))), true, true);
        assertStep(s, List.of("5000_0 delete", "5000_1 insert +last"), true, true);
        assertTrue(ShapeFixtures.json(s.items().get(1)).endsWith(
                ",\"key_change_from\":\"\\\"public\\\".\\\"items\\\"/\\\"1\\\"\",\"last\":true}}"));
    }

    @Test
    void aTransactionWithNothingForTheShapeEndsWithoutWrites() {
        known(1, 1);
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 5000);
        assertStep(accept(300, tx, List.of(), true, true), List.of(), true, false);
        assertStep(accept(301, new ShapeFixtures.Tx(ITEMS, 6000), List.of(tx.insert("1", null, "1", null)), true, true),
                List.of(), true, false);
    }

    @Test
    void consecutiveTransactionsEachGetTheirMark() {
        known(1, 1);
        assertStep(insertTx(300, 5000, "1", "2"), List.of("5000_0 insert", "5000_2 insert +last"), true, true);
        assertStep(insertTx(301, 6000, "3"), List.of("6000_0 insert +last"), true, true);
    }

    // ---- a transaction may begin, for the shape, with a fragment that is not its first ----

    @Test
    void aFragmentThatIsNotTheFirstButTheFirstSeenStartsATransaction() {
        known(100, 110, 105, 107);
        // xid 105 was in progress at the snapshot: kept.
        assertStep(insertTx(105, 1000, "1"), List.of("1000_0 insert +last"), true, true);

        // xid 50 < xmin: its first fragment had nothing for the shape; its last one is judged on its own.
        ShapeFixtures.Tx t2 = new ShapeFixtures.Tx(ITEMS, 2000);
        t2.on(OTHER).insert("1");
        assertStep(accept(50, t2, List.of(t2.insert("2", null, "20", null)), false, true), List.of(), true, false);

        // xid 103: committed before the snapshot, first seen in a middle fragment: skipped to its end.
        ShapeFixtures.Tx t3 = new ShapeFixtures.Tx(ITEMS, 3000);
        t3.on(OTHER).insert("1");
        assertStep(accept(103, t3, List.of(t3.insert("3", null, "20", null)), false, false), List.of(), false, false);
        assertStep(accept(103, t3, List.of(t3.insert("4", null, "20", null)), false, true), List.of(), true, false);

        // xid 107, in progress at the snapshot, also first seen in a middle fragment: kept, with its mark.
        ShapeFixtures.Tx t4 = new ShapeFixtures.Tx(ITEMS, 4000);
        t4.on(OTHER).insert("1");
        assertStep(accept(107, t4, List.of(t4.insert("5", null, "20", null), t4.insert("6", null, "20", null)),
                false, false), List.of("4000_2 insert"), false, true);
        assertStep(accept(107, t4, List.of(), false, true), List.of("4000_4 insert +last"), true, true);
    }

    @Test
    void wroteInTransactionStartsAfreshWithANonFirstFragment() {
        known(1, 1);
        assertStep(insertTx(300, 1000, "1"), List.of("1000_0 insert +last"), true, true);
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 2000);
        tx.on(OTHER).insert("1");
        Change.Update noop = tx.update(row("1", null, "20", null), row("1", null, "20", null));
        assertStep(accept(301, tx, List.of(noop), false, true), List.of(), true, false);
    }

    // ---- snapshot visibility ----

    @Test
    void transactionsBelowXminAreSkippedWholeAndReportedEnded() {
        known(100, 110);
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 1000);
        assertStep(accept(99, tx, List.of(tx.insert("1", null, "20", null)), true, false), List.of(), false, false);
        assertStep(accept(99, tx, List.of(tx.insert("2", null, "20", null)), false, true), List.of(), true, false);
    }

    @Test
    void transactionsCommittedBeforeTheSnapshotAreSkippedAndInProgressOnesKept() {
        known(100, 110, 105);
        assertStep(insertTx(100, 1000, "1"), List.of(), true, false);
        assertStep(insertTx(109, 1100, "2"), List.of(), true, false);
        assertStep(insertTx(105, 1200, "3"), List.of("1200_0 insert +last"), true, true);
        // An in-progress xid does not end filtering.
        assertStep(insertTx(104, 1300, "4"), List.of(), true, false);
    }

    @Test
    void theFirstTransactionFromXmaxOnEndsFilteringForGood() {
        known(100, 110, 105);
        assertStep(insertTx(104, 1000, "1"), List.of(), true, false);
        assertStep(insertTx(110, 1100, "2"), List.of("1100_0 insert +last"), true, true);
        assertStep(insertTx(50, 1200, "3"), List.of("1200_0 insert +last"), true, true);
        assertStep(insertTx(104, 1300, "4"), List.of("1300_0 insert +last"), true, true);
    }

    @Test
    void aKeptTransactionIsKeptInAllItsFragments() {
        known(100, 110);
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 1000);
        // The only item so far is held back: nothing is written yet.
        assertStep(accept(120, tx, List.of(tx.insert("1", null, "20", null)), true, false), List.of(), false, false);
        assertStep(accept(120, tx, List.of(tx.insert("2", null, "20", null)), false, true),
                List.of("1000_0 insert", "1000_2 insert +last"), true, true);
    }

    @Test
    void wraparoundSnapshotValuesAre64BitAndStreamXids32Bit() {
        // xmin just before the 32-bit wrap (epoch 1), xmax and an in-progress xid just after it (epoch 2).
        known((1L << 32) + 0xFFFF_FFF6L, (2L << 32) + 5, (2L << 32) + 2);
        assertStep(insertTx(0xFFFF_FFF0L, 1000, "1"), List.of(), true, false);   // before xmin
        assertStep(insertTx(0xFFFF_FFF8L, 1100, "2"), List.of(), true, false);   // in the snapshot, before the wrap
        assertStep(insertTx(3, 1200, "3"), List.of(), true, false);              // in the snapshot, after the wrap
        assertStep(insertTx(2, 1300, "4"), List.of("1300_0 insert +last"), true, true); // in progress
        assertStep(insertTx(0xFFFF_FFF9L, 1350, "5"), List.of(), true, false);   // filtering still on
        assertStep(insertTx(5, 1400, "6"), List.of("1400_0 insert +last"), true, true); // xmax: filtering ends
        assertStep(insertTx(0xFFFF_FFF0L, 1500, "7"), List.of("1500_0 insert +last"), true, true);
    }

    @Test
    void aRecoveredShapeChecksAgainUntilItPassesXmax() {
        // §3.6: a recovered shape reloads its bounds and filters again; any transaction less than 2^31 xids past
        // xmax is still recognised as after the snapshot, and ends the check.
        SnapshotInfo info = new SnapshotInfo(100, 110, new long[]{105});
        known(100, 110, 105);
        assertStep(insertTx(120, 1000, "1"), List.of("1000_0 insert +last"), true, true);

        TransactionLog recovered = new TransactionLog(new ShapeChangeConverter(SHAPE));
        recovered.snapshotKnown(info);
        long far = 110 + (1L << 31) - 1;
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 2000);
        List<Change> changes = List.of(tx.insert("2", null, "20", null));
        TransactionLog.Step s = recovered.accept(ShapeFixtures.fragment(far, tx, changes, true, true),
                ShapeFixtures.matches(SHAPE, changes));
        assertEquals(List.of("2000_0 insert +last"), summary(s.items()));
        ShapeFixtures.Tx later = new ShapeFixtures.Tx(ITEMS, 3000);
        List<Change> more = List.of(later.insert("3", null, "20", null));
        s = recovered.accept(ShapeFixtures.fragment(104, later, more, true, true), ShapeFixtures.matches(SHAPE, more));
        assertEquals(List.of("3000_0 insert +last"), summary(s.items()), "the check ended for good");
    }

    // ---- truncate ----

    @Test
    void aTruncateAmongTheMatchesEndsTheShape() {
        known(1, 1);
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 1000);
        List<Change> changes = List.of(tx.insert("1", null, "20", null), tx.insert("2", null, "20", null),
                tx.truncate());
        int[] matches = ShapeFixtures.matches(SHAPE, changes);
        assertEquals(ConsumerMessages.match(2, false, false), matches[2]);
        TransactionLog.Step s = log.accept(ShapeFixtures.fragment(300, tx, changes, true, true), matches);
        assertTrue(s.truncated());
        assertEquals(List.of(), s.items());
        assertFalse(s.transactionEnded());
    }

    @Test
    void aTruncateInALaterFragmentEndsTheShape() {
        known(1, 1);
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 1000);
        assertStep(accept(300, tx, List.of(tx.insert("1", null, "20", null), tx.insert("2", null, "20", null)),
                true, false), List.of("1000_0 insert"), false, true);
        TransactionLog.Step s = accept(300, tx, List.of(tx.on(OTHER).insert("5"), tx.truncate()), false, true);
        assertTrue(s.truncated());
        assertEquals(List.of(), s.items());
    }

    @Test
    void aTruncateTheSnapshotAlreadyReflectsIsSkippedWithItsTransaction() {
        known(100, 110);
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 1000);
        TransactionLog.Step s = accept(99, tx, List.of(tx.truncate()), true, true);
        assertStep(s, List.of(), true, false);
    }

    // ---- stream restarts ----

    @Test
    void aStreamRestartDropsTheHeldBackItemOfAPartialTransaction() {
        known(1, 1);
        // The transaction's first fragment had nothing for the shape; its second held item 1000_2 back.
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 1000);
        tx.on(OTHER).insert("1");
        List<Change> second = List.of(tx.insert("1", null, "20", null));
        assertStep(accept(300, tx, second, false, false), List.of(), false, false);

        log.streamRestarted();

        // Postgres sends the transaction again from its start: the same second fragment, then the last one.
        assertStep(accept(300, tx, second, false, false), List.of(), false, false);
        assertStep(accept(300, tx, List.of(tx.insert("2", null, "5", null)), false, true),
                List.of("1000_2 insert +last"), true, true);
    }

    @Test
    void aStreamRestartDropsWhatWasHeldEvenIfTheTransactionDoesNotReturnForTheShape() {
        known(1, 1);
        ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, 1000);
        assertStep(accept(300, tx, List.of(tx.insert("1", null, "20", null)), true, false), List.of(), false, false);
        log.streamRestarted();
        // The next fragment the shape sees belongs to a later transaction and starts it, not the stale one.
        ShapeFixtures.Tx next = new ShapeFixtures.Tx(ITEMS, 2000);
        next.on(OTHER).insert("1");
        assertStep(accept(301, next, List.of(next.insert("2", null, "20", null)), false, true),
                List.of("2000_2 insert +last"), true, true);
    }

    @Test
    void aStreamRestartBetweenTransactionsChangesNothing() {
        known(100, 110);
        assertStep(insertTx(99, 1000, "1"), List.of(), true, false);
        log.streamRestarted();
        assertStep(insertTx(99, 1000, "1"), List.of(), true, false);
        assertStep(insertTx(120, 2000, "2"), List.of("2000_0 insert +last"), true, true);
        log.streamRestarted();
        assertStep(insertTx(50, 3000, "3"), List.of("3000_0 insert +last"), true, true); // filtering stays off
    }
}
