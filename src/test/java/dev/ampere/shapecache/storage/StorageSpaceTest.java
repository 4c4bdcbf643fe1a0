package dev.ampere.shapecache.storage;

import static dev.ampere.shapecache.storage.StorageTestSupport.drainOffsets;
import static dev.ampere.shapecache.storage.StorageTestSupport.txn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ampere.changes.LogOffset;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage's fault boundary with its view of the volume switched to "full" (the hook for where a test cannot
 * mount a small volume; DiskFullTest fills a real one): writes are refused before anything is written, the
 * episode is told once, the stored data stays valid, and the same writes succeed once space is back.
 */
class StorageSpaceTest {
    private static final long RESERVE = 1 << 20;

    @TempDir
    Path dir;
    private final AtomicLong usable = new AtomicLong(1L << 30);
    private final List<String> told = new ArrayList<>();
    private ChronicleStackStorage stack;

    @AfterEach
    void close() {
        if (stack != null) stack.close();
    }

    private StorageSpace space() {
        return new StorageSpace(usable::get, RESERVE, dir.toString(), new StorageSpace.Listener() {
            @Override
            public synchronized void failing(String reason) {
                told.add("failing: " + reason);
            }

            @Override
            public synchronized void recovered() {
                told.add("recovered");
            }
        });
    }

    @Test
    void aFullVolumeRefusesWritesOnceNamedAndTakesThemAgainWhenSpaceReturns() throws Exception {
        stack = new ChronicleStackStorage(dir, "s", 1 << 20, 4, space());
        ShapeStorage s = stack.create("h", StorageTestSupport.json("{}"));
        s.appendSnapshotRow(StorageTestSupport.json("{\"row\":1}"));
        s.completeSnapshot(new SnapshotInfo(1, 2, new long[0]));
        LogOffset stored = s.appendLog(txn(10, 3, 100));
        assertEquals(txn(10, 3, 100).getLast().offset(), stored);
        s.flush();

        usable.set(RESERVE / 2);
        expireBudget();
        for (int i = 0; i < 5; i++) {
            StorageFaultException e = assertThrows(StorageFaultException.class, () -> s.appendLog(txn(11, 3, 100)));
            assertTrue(e.getMessage().contains("no space left on device"), e.getMessage());
        }
        assertThrows(StorageFaultException.class, () -> stack.create("h2", StorageTestSupport.json("{}")));
        assertEquals(1, told.size(), told.toString());
        assertTrue(told.getFirst().startsWith("failing: no space left on device"), told.toString());
        assertTrue(stack.space().fault().isPresent());
        assertEquals(stored, s.latestOffset(), "nothing of a refused write is visible");
        assertFalse(s.awaitWritable(Duration.ofMillis(150)));

        usable.set(RESERVE * 4);
        assertTrue(s.awaitWritable(Duration.ofSeconds(5)));
        assertEquals(List.of(told.getFirst(), "recovered"), told);
        assertEquals(txn(11, 3, 100).getLast().offset(), s.appendLog(txn(11, 3, 100)));
        s.flush();
        assertEquals(6, drainOffsets(s.readLog(LogOffset.LAST_BEFORE_REAL_OFFSETS, LogOffset.LAST)).size());
        assertTrue(stack.space().fault().isEmpty());
        stack.create("h2", StorageTestSupport.json("{}"));
    }

    @Test
    void aFaultRaisedInsideAWriteIsNamedAndKeptApartFromOtherErrors() throws Exception {
        StorageSpace space = space();
        RuntimeException sigbus = space.fault(new InternalError("a fault occurred in an unsafe memory access"));
        assertTrue(sigbus instanceof StorageFaultException, sigbus.toString());
        RuntimeException enospc = space.fault(new java.io.UncheckedIOException(new IOException("No space left on device")));
        assertTrue(enospc instanceof StorageFaultException);
        assertTrue(enospc.getMessage().contains("no space left on device"), enospc.getMessage());
        IllegalArgumentException bug = new IllegalArgumentException("offsets must ascend");
        assertSame(bug, space.fault(bug));
        assertEquals(1, told.size(), told.toString());
        // Not a lack of space (plenty is usable): the episode ends with the next write that goes through.
        assertTrue(space.awaitWritable(Duration.ofSeconds(5)));
        space.written();
        assertEquals("recovered", told.getLast());
    }

    /** The budget a probe handed out lasts a second; the test must not wait for it, so it starts from none. */
    private void expireBudget() {
        stack.space().fault(new IOException("No space left on device"));
    }
}
