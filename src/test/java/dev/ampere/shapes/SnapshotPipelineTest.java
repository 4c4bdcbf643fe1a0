package dev.ampere.shapes;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotPipelineTest {
    private static final List<String> COLUMNS = List.of("id", "title", "n", "body");
    private static final int[] KEY = {0};

    private static SnapshotPipeline.Encoder encoder() {
        return new SnapshotPipeline.Encoder(new CopyTextRow(COLUMNS.size()),
                new SnapshotRowWriter(ShapeFixtures.ITEMS, COLUMNS, KEY));
    }

    private static byte[] copyRow(int i) {
        String body = i % 7 == 0 ? "\\N" : "body\\t" + "x".repeat(i % 300);
        return (i + "\ttitle " + i + "\t" + (i * 3) + "\t" + body + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] expected(int i) {
        String body = i % 7 == 0 ? null : "body\t" + "x".repeat(i % 300);
        String[] values = {Integer.toString(i), "title " + i, Integer.toString(i * 3), body};
        return new LogItemEncoder(ShapeFixtures.ITEMS).snapshotRow("\"public\".\"items\"/\"" + i + "\"", COLUMNS, values);
    }

    @Test
    void rowsAreStoredInOrderAcrossBatchesAndEncoders() throws Exception {
        int rows = 20_000;
        List<byte[]> stored = new ArrayList<>();
        AtomicInteger ready = new AtomicInteger();
        long count;
        try (SnapshotPipeline p = new SnapshotPipeline("test", (b, off, len) -> {
            stored.add(Arrays.copyOfRange(b, off, off + len));
            if (stored.size() == 1) assertEquals(1, stored.size()); // writer thread only
        }, SnapshotPipelineTest::encoder, 3, () -> ready.incrementAndGet())) {
            for (int i = 0; i < rows; i++) p.accept(copyRow(i));
            count = p.finish();
        }
        assertEquals(rows, count);
        assertEquals(1, ready.get(), "the first stored row says ready once");
        assertEquals(rows, stored.size());
        for (int i = 0; i < rows; i++) {
            int n = i;
            assertTrue(Arrays.equals(expected(i), stored.get(i)), () -> "row " + n);
        }
    }

    @Test
    void anEmptyStreamStoresNothingAndIsNotReady() throws Exception {
        AtomicInteger ready = new AtomicInteger();
        try (SnapshotPipeline p = new SnapshotPipeline("test", (b, off, len) -> {
            throw new AssertionError("nothing to store");
        }, SnapshotPipelineTest::encoder, 2, ready::incrementAndGet)) {
            assertEquals(0, p.finish());
        }
        assertEquals(0, ready.get());
    }

    @Test
    void aStorageFailureReachesTheReaderAsItself() throws Exception {
        IOException disk = new IOException("disk full");
        AtomicInteger storedRows = new AtomicInteger();
        Exception thrown;
        try (SnapshotPipeline p = new SnapshotPipeline("test", (b, off, len) -> {
            if (storedRows.incrementAndGet() == 3_000) throw disk;
        }, SnapshotPipelineTest::encoder, 2, () -> {})) {
            thrown = assertThrows(Exception.class, () -> {
                for (int i = 0; i < 1_000_000; i++) p.accept(copyRow(i));
                p.finish();
            });
        }
        assertSame(disk, thrown);
        assertTrue(storedRows.get() < 1_000_000, "the reader stopped early");
    }

    @Test
    void aMalformedRowFailsTheSnapshot() throws Exception {
        Exception thrown;
        try (SnapshotPipeline p = new SnapshotPipeline("test", (b, off, len) -> {}, SnapshotPipelineTest::encoder, 1,
                () -> {})) {
            thrown = assertThrows(Exception.class, () -> {
                p.accept(copyRow(1));
                p.accept("1\t2\n".getBytes(StandardCharsets.UTF_8));
                p.finish();
            });
        }
        Throwable cause = thrown;
        while (cause.getCause() != null && !(cause instanceof IllegalArgumentException)) cause = cause.getCause();
        assertTrue(cause instanceof IllegalArgumentException, thrown.toString());
    }

    @Test
    void aSourceFailureAmongTheHeldRowsStoresNothing() throws Exception {
        AtomicInteger stored = new AtomicInteger();
        AtomicInteger ready = new AtomicInteger();
        try (SnapshotPipeline p = new SnapshotPipeline("test", (b, off, len) -> stored.incrementAndGet(),
                SnapshotPipelineTest::encoder, 2, ready::incrementAndGet)) {
            for (int i = 0; i < SnapshotPipeline.HOLD_ROWS - 1; i++) p.accept(copyRow(i));
            p.sourceFailed();
        }
        assertEquals(0, stored.get());
        assertEquals(0, ready.get(), "a client gets the failure alone (a 400), no rows");
    }

    @Test
    void aSourceFailureAfterTheHeldRowsStoresEveryRowReadBeforeIt() throws Exception {
        List<byte[]> stored = new ArrayList<>();
        AtomicInteger ready = new AtomicInteger();
        int rows = SnapshotPipeline.HOLD_ROWS + 1_500;
        try (SnapshotPipeline p = new SnapshotPipeline("test", (b, off, len) ->
                stored.add(Arrays.copyOfRange(b, off, off + len)), SnapshotPipelineTest::encoder, 2,
                ready::incrementAndGet)) {
            for (int i = 0; i < rows; i++) p.accept(copyRow(i));
            p.sourceFailed();
        }
        assertEquals(rows, stored.size());
        assertEquals(1, ready.get());
        assertTrue(Arrays.equals(expected(rows - 1), stored.get(rows - 1)));
    }

    @Test
    void aSnapshotWithinOneBatchIsStoredOnTheCallersThread() throws Exception {
        List<Thread> storingThreads = new ArrayList<>();
        List<byte[]> stored = new ArrayList<>();
        try (SnapshotPipeline p = new SnapshotPipeline("test", (b, off, len) -> {
            storingThreads.add(Thread.currentThread());
            stored.add(Arrays.copyOfRange(b, off, off + len));
        }, SnapshotPipelineTest::encoder, 2, () -> {})) {
            for (int i = 0; i < 10; i++) p.accept(copyRow(i));
            assertEquals(10, p.finish());
        }
        assertEquals(10, stored.size());
        for (Thread t : storingThreads) assertSame(Thread.currentThread(), t);
        for (int i = 0; i < 10; i++) assertTrue(Arrays.equals(expected(i), stored.get(i)));
    }
}
