package dev.ampere.postgres.wal;
import dev.ampere.changes.Change;
import dev.ampere.changes.LogOffset;
import dev.ampere.changes.Relation;
import dev.ampere.changes.TransactionFragment;


import dev.ampere.postgres.pgoutput.Frame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransactionAssemblerTest {
    private static final long LSN = 0x1_0000_0100L;
    private static final int ITEMS = 16384;
    private static final int OTHER = 16390;

    @TempDir
    Path spillDir;
    private RecordingSink sink;
    private TransactionAssembler assembler;

    @BeforeEach
    void setUp() {
        sink = new RecordingSink();
        assembler = new TransactionAssembler(rel -> rel.table().equals("items") ? List.of("id") : List.of(), sink, 2, spillDir);
    }

    @AfterEach
    void tearDown() {
        assembler.close();
    }

    private void feed(byte[]... frames) {
        for (byte[] f : frames) assembler.accept(ByteBuffer.wrap(f));
    }

    private static byte[] items(Integer xid) {
        return Frame.relation(xid, ITEMS, "public", "items", true, "id", 23, "title", 25, "body", 25);
    }

    private static byte[] other(Integer xid) {
        return Frame.relation(xid, OTHER, "public", "other", true, "a", 25, "b", 25);
    }

    private long spillFiles() throws IOException {
        try (Stream<Path> s = Files.list(spillDir)) {
            return s.count();
        }
    }

    @Test
    void protocol1TransactionIsCutIntoBoundedFragmentsWithSteppedOffsets() {
        feed(items(null), Frame.begin(LSN, 777, 42),
                Frame.insert(null, ITEMS, "1", "a", null),
                Frame.insert(null, ITEMS, "2", "b", "x"),
                Frame.update(null, ITEMS, new Object[]{"1", "a", null}, "1", "a2", null),
                Frame.delete(null, ITEMS, "2", "b", "x"),
                Frame.insert(null, ITEMS, "3", "c", "y"));
        assertEquals(2, sink.fragments.size(), "full fragments are emitted before the commit");
        feed(Frame.commit(LSN, LSN + 0x28, 777));

        assertEquals(1, sink.relations.size());
        assertEquals(List.of("id", "title", "body"), sink.relations.getFirst().columnNames());
        assertInstanceOf(Relation.class, sink.events.getFirst(), "relation precedes the changes");
        List<TransactionFragment> fr = sink.fragments;
        assertEquals(3, fr.size());
        assertEquals(List.of(2, 2, 1), fr.stream().map(f -> f.changes().size()).toList());
        assertTrue(fr.get(0).first());
        assertFalse(fr.get(0).last());
        assertFalse(fr.get(1).first());
        assertTrue(fr.get(2).last());
        assertEquals(0, fr.get(0).endLsn());
        assertEquals(LSN + 0x28, fr.get(2).endLsn());
        for (TransactionFragment f : fr) {
            assertEquals(42, f.xid());
            assertEquals(LSN, f.commitLsn());
            assertEquals(777, f.commitTimeMicros());
        }
        List<Change> changes = sink.changes();
        for (int i = 0; i < changes.size(); i++) {
            assertEquals(LogOffset.of(LSN, 2L * i), changes.get(i).offset());
        }
        Change.Insert first = (Change.Insert) changes.get(0);
        assertEquals("\"public\".\"items\"/\"1\"", first.key());
        assertEquals("a", first.record().value("title"));
        assertNull(first.record().value(2));
        Change.Update upd = (Change.Update) changes.get(2);
        assertEquals(List.of("title"), upd.changedColumns());
        assertNull(upd.oldKey());
        assertEquals("a", upd.oldRecord().value("title"));
        Change.Delete del = (Change.Delete) changes.get(3);
        assertEquals("\"public\".\"items\"/\"2\"", del.key());
        assertEquals("x", del.oldRecord().value("body"));
        assertEquals(3, assembler.stats().fragments());
        assertTrue(assembler.stats().peakBufferedChanges() <= 2);
        assertTrue(assembler.idle());
    }

    @Test
    void updateFillsUnchangedToastFromOldRowAndReportsKeyChange() {
        String big = "z".repeat(10_000);
        feed(items(null), Frame.begin(LSN, 1, 5),
                Frame.update(null, ITEMS, new Object[]{"1", "t", big}, "9", "t", Frame.UNCHANGED),
                Frame.commit(LSN, LSN + 8, 1));
        Change.Update u = (Change.Update) sink.changes().getFirst();
        assertEquals(big, u.record().value("body"));
        assertEquals(List.of("id"), u.changedColumns());
        assertEquals("\"public\".\"items\"/\"9\"", u.key());
        assertEquals("\"public\".\"items\"/\"1\"", u.oldKey());
        assertTrue(u.keyChanged());
    }

    @Test
    void updateWithOnlyTheOldKeyKeepsOtherOldValuesFromTheNewRow() {
        feed(items(null), Frame.begin(LSN, 1, 5),
                Frame.of('U').i32(ITEMS).u8('K').tuple("1", null, null).u8('N').tuple("2", "t", "b").toBytes(),
                Frame.of('D').i32(ITEMS).u8('K').tuple("2", null, null).toBytes(),
                Frame.commit(LSN, LSN + 8, 1));
        Change.Update u = (Change.Update) sink.changes().get(0);
        assertEquals("\"public\".\"items\"/\"1\"", u.oldKey());
        assertEquals("t", u.oldRecord().value("title"));
        assertEquals(List.of("id"), u.changedColumns());
        Change.Delete d = (Change.Delete) sink.changes().get(1);
        assertEquals("\"public\".\"items\"/\"2\"", d.key());
        assertNull(d.oldRecord().value("title"));
    }

    @Test
    void updateWithoutOldDataCountsEveryColumnAsChanged() {
        feed(items(null), Frame.begin(LSN, 1, 5), Frame.update(null, ITEMS, null, "1", "t", "b"),
                Frame.commit(LSN, LSN + 8, 1));
        Change.Update u = (Change.Update) sink.changes().getFirst();
        assertEquals(List.of("id", "title", "body"), u.changedColumns());
        assertNull(u.oldKey());
    }

    @Test
    void streamedTruncateIsSpilledWithAllItsRelations() {
        long commit = 0x5000L;
        feed(items(null), other(null), Frame.streamStart(500, true), Frame.truncate(500, 0, OTHER, ITEMS),
                Frame.streamStop(), Frame.streamCommit(500, commit, commit + 8, 1));
        List<Change> changes = sink.changes();
        assertEquals(List.of("other", "items"), changes.stream().map(c -> c.relation().table()).toList());
        assertEquals(1, assembler.stats().spilledMessages());
    }

    @Test
    void keylessTableUsesAllColumnsWithNullsAndSlashes() {
        feed(other(null), Frame.begin(LSN, 1, 5), Frame.insert(null, OTHER, "a/b", null), Frame.commit(LSN, LSN + 8, 1));
        assertEquals("\"public\".\"other\"/\"a//b\"/_", ((Change.Insert) sink.changes().getFirst()).key());
    }

    @Test
    void truncateOfSeveralTablesGivesOneChangePerTable() {
        feed(items(null), other(null), Frame.begin(LSN, 1, 5), Frame.truncate(null, 1, ITEMS, OTHER),
                Frame.commit(LSN, LSN + 8, 1));
        List<Change> changes = sink.changes();
        assertEquals(2, changes.size());
        Change.Truncate t0 = (Change.Truncate) changes.get(0);
        Change.Truncate t1 = (Change.Truncate) changes.get(1);
        assertEquals("items", t0.relation().table());
        assertEquals("other", t1.relation().table());
        assertTrue(t0.cascade());
        assertFalse(t0.restartIdentity());
        assertEquals(LogOffset.of(LSN, 0), t0.offset());
        assertEquals(LogOffset.of(LSN, 2), t1.offset());
    }

    @Test
    void emptyTransactionStillReportsItsCommit() {
        feed(Frame.begin(LSN, 1, 5), Frame.commit(LSN, LSN + 8, 1));
        assertEquals(1, sink.fragments.size());
        TransactionFragment f = sink.fragments.getFirst();
        assertTrue(f.first() && f.last());
        assertTrue(f.changes().isEmpty());
    }

    @Test
    void commitLsnMismatchIsAnError() {
        feed(Frame.begin(LSN, 1, 5));
        assertThrows(IllegalStateException.class, () -> feed(Frame.commit(LSN + 1, LSN + 8, 1)));
    }

    @Test
    void streamedTransactionIsSpilledAndReplayedOnCommitWithoutAbortedSubtransaction() throws IOException {
        long commit = 0x2_0000_0000L;
        feed(items(null),
                Frame.streamStart(100, true), items(100),
                Frame.insert(100, ITEMS, "1", "a", null),
                Frame.insert(101, ITEMS, "2", "sub", null),
                Frame.streamStop());
        assertTrue(sink.fragments.isEmpty(), "nothing of an uncommitted streamed transaction is emitted");
        assertEquals(1, spillFiles());
        assertFalse(assembler.idle());
        // a small ordinary transaction commits in between
        feed(Frame.begin(LSN, 1, 99), Frame.insert(null, ITEMS, "50", "x", null), Frame.commit(LSN, LSN + 8, 1));
        assertEquals(1, sink.fragments.size());
        feed(Frame.streamStart(100, false),
                Frame.insert(100, ITEMS, "3", "c", null),
                Frame.update(100, ITEMS, new Object[]{"1", "a", null}, "1", "a2", null),
                Frame.streamStop(),
                Frame.streamAbort(100, 101),
                Frame.streamCommit(100, commit, commit + 0x30, 555));
        assertEquals(0, spillFiles(), "spill file deleted after commit");
        List<TransactionFragment> streamed = sink.fragments.subList(1, sink.fragments.size());
        assertEquals(2, streamed.size());
        assertTrue(streamed.get(0).first());
        assertTrue(streamed.get(1).last());
        assertEquals(commit + 0x30, streamed.get(1).endLsn());
        List<Change> changes = streamed.stream().flatMap(f -> f.changes().stream()).toList();
        assertEquals(3, changes.size());
        assertEquals("\"public\".\"items\"/\"1\"", ((Change.Insert) changes.get(0)).key());
        assertEquals("\"public\".\"items\"/\"3\"", ((Change.Insert) changes.get(1)).key());
        assertEquals("a2", ((Change.Update) changes.get(2)).record().value("title"));
        for (int i = 0; i < 3; i++) assertEquals(LogOffset.of(commit, 2L * i), changes.get(i).offset());
        assertEquals(100, streamed.get(0).xid());
        assertEquals(555, streamed.get(0).commitTimeMicros());
        assertEquals(1, assembler.stats().streamedCommits());
        assertEquals(4, assembler.stats().spilledMessages(), "the 4 streamed changes; relation copies are not counted");
        assertTrue(assembler.idle());
    }

    @Test
    void abortedStreamedTransactionIsDiscarded() throws IOException {
        feed(items(null), Frame.streamStart(200, true), Frame.insert(200, ITEMS, "1", "a", null), Frame.streamStop());
        assertEquals(1, spillFiles());
        feed(Frame.streamAbort(200, 200));
        assertEquals(0, spillFiles());
        assertTrue(sink.fragments.isEmpty());
        assertEquals(1, assembler.stats().streamedAborts());
        assertTrue(assembler.idle());
    }

    @Test
    void replayUsesTheRelationAsItWasWhenTheChangeWasStreamed() {
        long commit = 0x3000L;
        feed(items(null), Frame.streamStart(300, true), Frame.insert(300, ITEMS, "1", "a", null), Frame.streamStop());
        // the table gains a column before the streamed transaction commits
        feed(Frame.relation(null, ITEMS, "public", "items", true, "id", 23, "title", 25, "body", 25, "extra", 25));
        feed(Frame.streamStart(300, false), Frame.insert(300, ITEMS, "2", "b", null, "e"), Frame.streamStop(),
                Frame.streamCommit(300, commit, commit + 8, 1));
        List<Change> changes = sink.changes();
        assertEquals(3, ((Change.Insert) changes.get(0)).record().size());
        assertEquals(4, ((Change.Insert) changes.get(1)).record().size());
        assertEquals("e", ((Change.Insert) changes.get(1)).record().value("extra"));
        assertEquals(2, sink.relations.size());
    }

    @Test
    void closeDeletesSpillsOfTransactionsInProgress() throws IOException {
        feed(items(null), Frame.streamStart(400, true), Frame.insert(400, ITEMS, "1", "a", null), Frame.streamStop());
        assertEquals(1, assembler.openSpills());
        assembler.close();
        assertEquals(0, spillFiles());
    }
}
