package dev.ampere.shapecache.storage;

import static dev.ampere.shapecache.storage.StorageTestSupport.drain;
import static dev.ampere.shapecache.storage.StorageTestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ampere.changes.LogOffset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStorageTest {
    @TempDir
    Path dir;
    ChronicleStackStorage stack;

    @AfterEach
    void close() {
        if (stack != null) stack.close();
    }

    private ShapeStorage newShape(long threshold) throws Exception {
        stack = new ChronicleStackStorage(dir, "stack1", threshold, 8);
        return stack.create("h1", json("{\"table\":\"t\"}"));
    }

    /** A 40-byte row: with a 100-byte threshold a chunk closes after its third row (120 >= 100 > 80). */
    private static String row(int i) {
        String head = "{\"key\":\"k" + i + "\",\"v\":\"";
        return head + "x".repeat(40 - head.length() - 2) + "\"}";
    }

    @Test
    void rowsAreSplitIntoChunksAtTheThreshold() throws Exception {
        ShapeStorage s = newShape(100);
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rows.add(row(i));
            s.appendSnapshotRow(json(row(i)));
        }
        s.completeSnapshot(new SnapshotInfo(10, 20, new long[] {12, 15}));

        ShapeStorage.SnapshotState st = s.snapshotState();
        assertTrue(st.complete());
        assertEquals(4, st.chunksStarted());
        assertEquals(LogOffset.snapshotChunk(3), st.lastChunkOffset());
        assertEquals(new SnapshotInfo(10, 20, new long[] {12, 15}), st.info().orElseThrow());
        assertEquals(rows.subList(0, 3), drain(s.readSnapshotChunk(0)));
        assertEquals(rows.subList(3, 6), drain(s.readSnapshotChunk(1)));
        assertEquals(rows.subList(6, 9), drain(s.readSnapshotChunk(2)));
        assertEquals(rows.subList(9, 10), drain(s.readSnapshotChunk(3)));
        assertEquals(List.of(), drain(s.readSnapshotChunk(4)), "no chunk 4 in a complete snapshot");
    }

    @Test
    void emptySnapshotHasOneEmptyChunk() throws Exception {
        ShapeStorage s = newShape(100);
        s.completeSnapshot(new SnapshotInfo(1, 1, new long[0]));
        assertEquals(1, s.snapshotState().chunksStarted());
        assertEquals(List.of(), drain(s.readSnapshotChunk(0)));
    }

    @Test
    void readerStreamsAChunkWhileItIsWrittenAndWaitsWithoutPolling() throws Exception {
        ShapeStorage s = newShape(1 << 20);
        try (ItemCursor c = s.readSnapshotChunk(0)) {
            long v = s.changeVersion();
            assertEquals(ItemCursor.Step.NOT_YET, c.advance(), "nothing written yet");
            assertFalse(s.awaitChange(v, 1, TimeUnit.MILLISECONDS), "no change yet");

            // Rows sit in the writer's buffer until it fills: write enough to publish some, but not the last.
            int n = 0;
            while (s.changeVersion() == v) s.appendSnapshotRow(json(row(n++)));
            assertTrue(s.awaitChange(v, 0, TimeUnit.MILLISECONDS));
            int seen = 0;
            while (c.advance() == ItemCursor.Step.ITEM) {
                assertEquals(row(seen), new String(c.json(), 0, c.jsonLength(), StandardCharsets.UTF_8));
                seen++;
            }
            assertTrue(seen > 0 && seen < n, "published rows only: " + seen + " of " + n);
            long v2 = s.changeVersion();
            assertEquals(ItemCursor.Step.NOT_YET, c.advance());

            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    s.completeSnapshot(new SnapshotInfo(5, 6, new long[0]));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertTrue(s.awaitChange(v2, 30, TimeUnit.SECONDS), "woken by the writer");
            writer.join();
            while (c.advance() == ItemCursor.Step.ITEM) {
                assertEquals(row(seen), new String(c.json(), 0, c.jsonLength(), StandardCharsets.UTF_8));
                seen++;
            }
            assertEquals(n, seen);
            assertEquals(ItemCursor.Step.END, c.advance());
        }
    }

    @Test
    void readerOfTheNextChunkWaitsForItToStart() throws Exception {
        ShapeStorage s = newShape(50);
        s.appendSnapshotRow(json(row(0)));
        s.appendSnapshotRow(json(row(1))); // chunk 0 closes (>= 50 bytes)
        try (ItemCursor next = s.readSnapshotChunk(1)) {
            assertEquals(ItemCursor.Step.NOT_YET, next.advance(), "chunk 1 not started");
            assertEquals(List.of(row(0), row(1)), drain(s.readSnapshotChunk(0)), "chunk 0 is closed");
            s.appendSnapshotRow(json(row(2)));
            s.completeSnapshot(new SnapshotInfo(1, 2, new long[0]));
            assertEquals(ItemCursor.Step.ITEM, next.advance());
            assertEquals(row(2), new String(next.jsonCopy(), StandardCharsets.UTF_8));
            assertEquals(LogOffset.snapshotChunk(1), next.offset());
            assertEquals(ItemCursor.Step.END, next.advance());
        }
    }

    @Test
    void rowsLargerThanTheWriteBufferAndTheThresholdRoundTrip() throws Exception {
        ShapeStorage s = newShape(1000);
        String big = "{\"v\":\"" + "y".repeat(200_000) + "\"}";
        s.appendSnapshotRow(json(row(0)));
        s.appendSnapshotRow(json(big));
        s.appendSnapshotRow(json(row(1)));
        s.completeSnapshot(new SnapshotInfo(1, 2, new long[0]));
        assertEquals(List.of(row(0), big), drain(s.readSnapshotChunk(0)));
        assertEquals(List.of(row(1)), drain(s.readSnapshotChunk(1)));
    }

    @Test
    void snapshotCannotBeWrittenAfterCompletion() throws Exception {
        ShapeStorage s = newShape(100);
        s.completeSnapshot(new SnapshotInfo(1, 2, new long[0]));
        assertThrows(IllegalStateException.class, () -> s.appendSnapshotRow(json(row(0))));
    }
}
