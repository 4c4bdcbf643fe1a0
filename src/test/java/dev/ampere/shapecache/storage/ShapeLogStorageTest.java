package dev.ampere.shapecache.storage;

import static dev.ampere.shapecache.storage.StorageTestSupport.concat;
import static dev.ampere.shapecache.storage.StorageTestSupport.drain;
import static dev.ampere.shapecache.storage.StorageTestSupport.drainOffsets;
import static dev.ampere.shapecache.storage.StorageTestSupport.item;
import static dev.ampere.shapecache.storage.StorageTestSupport.jsonOf;
import static dev.ampere.shapecache.storage.StorageTestSupport.txn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ampere.changes.LogOffset;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShapeLogStorageTest {
    @TempDir
    Path dir;
    ChronicleStackStorage stack;

    @AfterEach
    void close() {
        if (stack != null) stack.close();
    }

    private ShapeStorage open(long threshold) throws Exception {
        stack = new ChronicleStackStorage(dir, "s", threshold, 4);
        return stack.create("h", StorageTestSupport.json("{}"));
    }

    private ShapeStorage reopen(long threshold) throws Exception {
        stack.close();
        stack = new ChronicleStackStorage(dir, "s", threshold, 4);
        StackStorage.Recovery r = stack.recover();
        assertEquals(List.of("h"), r.shapes().stream().map(StackStorage.StoredShape::handle).toList());
        return stack.get("h").orElseThrow();
    }

    private static LogOffset off(long tx, long op) {
        return LogOffset.of(tx, op);
    }

    @Test
    void emptyLogIsAtZeroInf() throws Exception {
        ShapeStorage s = open(1000);
        assertEquals(LogOffset.LAST_BEFORE_REAL_OFFSETS, s.latestOffset());
        assertEquals(LogOffset.LAST_BEFORE_REAL_OFFSETS, s.chunkEnd(LogOffset.BEFORE_ALL));
        assertEquals(List.of(), drain(s.readLog(LogOffset.BEFORE_ALL, LogOffset.LAST)));
    }

    @Test
    void readsReturnExactlyTheRangeAndTheStoredBytes() throws Exception {
        ShapeStorage s = open(1 << 20);
        List<LogItem> t1 = txn(100, 3, 120);
        List<LogItem> t2 = txn(200, 2, 90);
        assertEquals(off(100, 4), s.appendLog(t1));
        assertEquals(off(200, 2), s.appendLog(t2));
        List<LogItem> all = new ArrayList<>(t1);
        all.addAll(t2);

        assertEquals(jsonOf(all), drain(s.readLog(LogOffset.LAST_BEFORE_REAL_OFFSETS, s.latestOffset())));
        assertEquals(jsonOf(all), drain(s.readLog(LogOffset.BEFORE_ALL, LogOffset.LAST)));
        assertEquals(jsonOf(all.subList(2, 5)), drain(s.readLog(off(100, 2), off(200, 2))));
        assertEquals(jsonOf(all.subList(1, 4)), drain(s.readLog(off(100, 0), off(200, 0))));
        // Offsets that sit on no stored entry (an SSE client resuming from "<lsn>_0").
        assertEquals(jsonOf(all.subList(3, 5)), drain(s.readLog(off(150, 0), LogOffset.LAST)));
        assertEquals(jsonOf(all.subList(1, 3)), drain(s.readLog(off(100, 1), off(100, 5))));
        assertEquals(List.of(), drain(s.readLog(off(200, 2), LogOffset.LAST)));
        assertEquals(List.of(off(100, 4), off(200, 0)), drainOffsets(s.readLog(off(100, 2), off(200, 0))));

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (LogItem i : all) expected.write(i.json());
        assertArrayEquals(expected.toByteArray(), concat(s.readLog(LogOffset.BEFORE_ALL, LogOffset.LAST)));
    }

    @Test
    void chunkBoundariesFollowTheRunningByteCountAcrossTransactions() throws Exception {
        ShapeStorage s = open(250);
        s.appendLog(txn(10, 2, 100)); // 100, 200
        s.appendLog(txn(20, 3, 100)); // 300 -> boundary at 20_0; then 100, 200
        s.appendLog(txn(30, 1, 100)); // 300 -> boundary at 30_0
        s.appendLog(txn(40, 1, 100)); // 100
        assertEquals(List.of(off(20, 0), off(30, 0)), s.chunkBoundaries());

        assertEquals(off(20, 0), s.chunkEnd(LogOffset.BEFORE_ALL));
        assertEquals(off(20, 0), s.chunkEnd(LogOffset.LAST_BEFORE_REAL_OFFSETS));
        assertEquals(off(20, 0), s.chunkEnd(off(10, 2)));
        assertEquals(off(30, 0), s.chunkEnd(off(20, 0)), "a boundary in the middle of a transaction");
        assertEquals(off(40, 0), s.chunkEnd(off(30, 0)), "no later boundary: the latest offset");
        assertEquals(List.of(off(20, 2), off(20, 4), off(30, 0)),
                drainOffsets(s.readLog(off(20, 0), s.chunkEnd(off(20, 0)))));
    }

    @Test
    void anItemLargerThanTheThresholdIsAChunkOfItsOwn() throws Exception {
        ShapeStorage s = open(1000);
        s.appendLog(List.of(item(10, 0, 100)));
        LogItem huge = item(10, 2, 600_000);
        s.appendLog(List.of(huge, item(10, 4, 100)));
        assertEquals(List.of(off(10, 2)), s.chunkBoundaries());
        List<String> firstChunk = drain(s.readLog(LogOffset.BEFORE_ALL, s.chunkEnd(LogOffset.BEFORE_ALL)));
        assertEquals(2, firstChunk.size());
        assertEquals(jsonOf(List.of(huge)).getFirst(), firstChunk.get(1));
        assertEquals(List.of(off(10, 4)), drainOffsets(s.readLog(off(10, 2), s.chunkEnd(off(10, 2)))));
    }

    @Test
    void hugeItemsBeyondAChronicleDocumentRoundTripAcrossReopen() throws Exception {
        ShapeStorage s = open(1 << 20);
        s.completeSnapshot(new SnapshotInfo(1, 2, new long[0]));
        List<LogItem> items = List.of(item(10, 0, 100), item(10, 2, 5_000_000), item(10, 4, 100));
        s.appendLog(items);
        assertEquals(List.of(off(10, 2)), s.chunkBoundaries(), "5 MB passes the 1 MiB threshold");
        assertEquals(off(10, 4), s.flush());
        assertEquals(jsonOf(items), drain(s.readLog(LogOffset.BEFORE_ALL, LogOffset.LAST)));
        s = reopen(1 << 20);
        assertEquals(jsonOf(items), drain(s.readLog(LogOffset.BEFORE_ALL, LogOffset.LAST)));
        assertEquals(jsonOf(items.subList(1, 2)), drain(s.readLog(off(10, 0), s.chunkEnd(off(10, 0)))));
    }

    @Test
    void boundariesAndBytesAreStableAcrossReopen() throws Exception {
        ShapeStorage s = open(500);
        s.completeSnapshot(new SnapshotInfo(1, 2, new long[0]));
        for (int tx = 1; tx <= 30; tx++) s.appendLog(txn(tx * 10L, 1 + tx % 4, 70 + tx));
        List<LogOffset> boundaries = s.chunkBoundaries();
        assertTrue(boundaries.size() > 5, "several chunks: " + boundaries);
        List<List<String>> chunks = readChunks(s);
        LogOffset latest = s.latestOffset();

        ShapeStorage again = reopen(500);
        assertEquals(latest, again.latestOffset());
        assertEquals(boundaries, again.chunkBoundaries());
        assertEquals(chunks, readChunks(again));

        // Appending continues the running count as if there had been no restart.
        ShapeStorage fresh = openSibling(500);
        for (int tx = 1; tx <= 40; tx++) fresh.appendLog(txn(tx * 10L, 1 + tx % 4, 70 + tx));
        for (int tx = 31; tx <= 40; tx++) again.appendLog(txn(tx * 10L, 1 + tx % 4, 70 + tx));
        assertEquals(fresh.chunkBoundaries(), again.chunkBoundaries());
        assertEquals(readChunks(fresh), readChunks(again));
    }

    private ShapeStorage openSibling(long threshold) throws Exception {
        return stack.create("sibling", StorageTestSupport.json("{}"));
    }

    private static List<List<String>> readChunks(ShapeStorage s) throws Exception {
        List<List<String>> chunks = new ArrayList<>();
        LogOffset at = LogOffset.LAST_BEFORE_REAL_OFFSETS;
        while (at.isBefore(s.latestOffset())) {
            LogOffset end = s.chunkEnd(at);
            chunks.add(drain(s.readLog(at, end)));
            at = end;
        }
        return chunks;
    }

    @Test
    void replayedTransactionsAreSkipped() throws Exception {
        ShapeStorage s = open(1 << 20);
        s.completeSnapshot(new SnapshotInfo(1, 2, new long[0]));
        List<LogItem> t1 = txn(100, 3, 50);
        List<LogItem> t2 = txn(200, 3, 50);
        s.appendLog(t1);
        s.appendLog(t2.subList(0, 2)); // crash after part of a fragment
        s = reopen(1 << 20);
        assertEquals(off(200, 2), s.appendLog(t1), "whole transaction replayed: nothing stored");
        assertEquals(off(200, 4), s.appendLog(t2), "only the missing tail is stored");
        List<LogItem> all = new ArrayList<>(t1);
        all.addAll(t2);
        assertEquals(jsonOf(all), drain(s.readLog(LogOffset.BEFORE_ALL, LogOffset.LAST)));
        assertThrows(IllegalArgumentException.class,
                () -> stack.get("h").orElseThrow().appendLog(List.of(item(300, 2, 10), item(300, 0, 10))));
        assertEquals(off(200, 4), s.latestOffset(), "a rejected batch writes nothing");
    }

    @Test
    void flushReportsTheDurableOffsetAndSurvivesReopen() throws Exception {
        ShapeStorage s = open(1 << 20);
        assertEquals(LogOffset.LAST_BEFORE_REAL_OFFSETS, s.flush());
        s.appendLog(txn(100, 2, 50));
        assertEquals(LogOffset.LAST_BEFORE_REAL_OFFSETS, s.durableOffset());
        assertEquals(off(100, 2), s.flush());
        assertEquals(off(100, 2), s.durableOffset());
        s.appendLog(txn(200, 1, 50));
        assertEquals(off(100, 2), s.durableOffset());
        assertEquals(off(200, 0), s.flush());
        s.completeSnapshot(new SnapshotInfo(1, 2, new long[0]));
        s = reopen(1 << 20);
        assertEquals(off(200, 0), s.latestOffset());
        assertEquals(LogOffset.LAST_BEFORE_REAL_OFFSETS, s.durableOffset(), "unknown until fsynced again");
        assertEquals(off(200, 0), s.flush(), "a replay that stores nothing still fsyncs before reporting");
        assertEquals(off(200, 0), s.durableOffset());
    }

    @Test
    void readersSeeWholeBatchesAndCanWaitForTheNext() throws Exception {
        ShapeStorage s = open(1 << 20);
        s.appendLog(txn(100, 2, 50));
        long v = s.changeVersion();
        try (ItemCursor c = s.readLog(LogOffset.BEFORE_ALL, LogOffset.LAST)) {
            s.appendLog(txn(200, 2, 50)); // appended after the read began: not part of it
            assertEquals(2, drain(c).size());
        }
        assertTrue(s.awaitChange(v, 0, TimeUnit.SECONDS));
        Thread writer = Thread.ofVirtual().start(() -> s.appendLog(txn(300, 1, 50)));
        long v2 = s.changeVersion();
        if (s.latestOffset().equals(off(200, 2))) assertTrue(s.awaitChange(v2, 30, TimeUnit.SECONDS));
        writer.join();
        assertEquals(off(300, 0), s.latestOffset());
        assertEquals(List.of(off(300, 0)), drainOffsets(s.readLog(off(200, 2), LogOffset.LAST)));
    }

    @Test
    void concurrentReadersOnlyEverSeeWholeTransactionsInOrder() throws Exception {
        ShapeStorage s = open(2_000);
        int txns = 400;
        LogOffset last = off(txns * 10L, 8);
        List<Thread> readers = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int r = 0; r < 3; r++) {
            readers.add(Thread.ofVirtual().start(() -> {
                try {
                    LogOffset seen = LogOffset.LAST_BEFORE_REAL_OFFSETS;
                    while (seen.isBefore(last)) {
                        long v = s.changeVersion();
                        List<LogOffset> got = drainOffsets(s.readLog(seen, s.chunkEnd(seen)));
                        if (got.isEmpty()) {
                            s.awaitChange(v, 10, TimeUnit.SECONDS);
                            continue;
                        }
                        for (LogOffset o : got) {
                            LogOffset expected = seen.op() == 8 || seen.isSnapshot() ? off(seen.isSnapshot() ? 10 : seen.tx() + 10, 0)
                                    : off(seen.tx(), seen.op() + 2);
                            if (!o.equals(expected)) throw new AssertionError("after " + seen + " got " + o);
                            seen = o;
                        }
                        LogOffset end = got.getLast();
                        if (end.op() != 8 && !s.chunkBoundaries().contains(end)) {
                            throw new AssertionError("read stopped inside a transaction at " + end);
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (int tx = 1; tx <= txns; tx++) s.appendLog(txn(tx * 10L, 5, 60 + tx % 50));
        for (Thread t : readers) t.join();
        assertEquals(List.of(), failures);
        assertEquals(last, s.latestOffset());
    }

    @Test
    void readsFromAnyOffsetMatchAReferenceModel() throws Exception {
        ShapeStorage s = open(100_000);
        s.completeSnapshot(new SnapshotInfo(1, 2, new long[0]));
        List<LogItem> all = new ArrayList<>();
        List<LogOffset> boundaries = new ArrayList<>();
        long count = 0;
        for (int tx = 1; tx <= 60; tx++) {
            List<LogItem> t = txn(tx * 10L, 50, 90 + tx % 20);
            for (LogItem i : t) { // the §1.13 rule, computed independently
                count += i.json().length;
                if (count >= 100_000) {
                    boundaries.add(i.offset());
                    count = 0;
                }
            }
            all.addAll(t);
            s.appendLog(t);
        }
        assertEquals(boundaries, s.chunkBoundaries());
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        List<LogOffset> probes = new ArrayList<>(List.of(LogOffset.BEFORE_ALL, LogOffset.LAST_BEFORE_REAL_OFFSETS));
        probes.addAll(boundaries);
        for (int i = 0; i < 150; i++) {
            long tx = 10L * (1 + rnd.nextInt(60)) + (rnd.nextBoolean() ? 0 : rnd.nextInt(10));
            probes.add(off(tx, rnd.nextInt(101)));
        }
        for (int pass = 0; pass < 2; pass++) {
            for (LogOffset after : probes) {
                LogOffset end = boundaries.stream().filter(b -> b.isAfter(after)).findFirst().orElse(s.latestOffset());
                assertEquals(end, s.chunkEnd(after), "chunk end from " + after);
                List<LogOffset> expected = all.stream().map(LogItem::offset)
                        .filter(o -> o.isAfter(after) && !o.isAfter(end)).toList();
                assertEquals(expected, drainOffsets(s.readLog(after, end)), "read from " + after);
            }
            s = reopen(100_000); // second pass: no recent-batch anchors, only boundaries and search
        }
    }
}
