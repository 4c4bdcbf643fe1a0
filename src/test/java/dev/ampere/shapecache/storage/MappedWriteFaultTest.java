package dev.ampere.shapecache.storage;

import static dev.ampere.shapecache.storage.StorageTestSupport.drainOffsets;
import static dev.ampere.shapecache.storage.StorageTestSupport.txn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ampere.changes.LogOffset;
import dev.ampere.testing.SmallVolume;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fault the check before writing exists for, let through on purpose: the storage's view of the volume says
 * there is room, the volume (a tmpfs of the test's own) is full, and the mapped write hits a page the file system
 * cannot back. The JVM's InternalError must come out as a {@link StorageFaultException}, leave nothing visible,
 * and leave the queue usable: once space is back, the same batch is stored whole and read back in order.
 */
class MappedWriteFaultTest {
    private SmallVolume volume;
    private ChronicleStackStorage stack;

    @BeforeEach
    void mount() throws Exception {
        volume = SmallVolume.mount(8);
        assumeTrue(volume != null, "this user cannot mount a tmpfs");
    }

    @AfterEach
    void unmount() throws Exception {
        if (stack != null) stack.close();
        if (volume != null) volume.close();
    }

    @Test
    void aMappedWriteOnAFullVolumeFailsCleanlyAndIsStoredOnceSpaceReturns() throws Exception {
        StorageSpace blind = new StorageSpace(() -> Long.MAX_VALUE / 4, 0, volume.dir.toString(),
                StorageSpace.Listener.NONE);
        stack = new ChronicleStackStorage(volume.dir, "s", 1 << 30, 4, blind);
        ShapeStorage s = stack.create("h", StorageTestSupport.json("{}"));
        LogOffset stored = s.appendLog(txn(10, 2, 100));
        s.flush();
        volume.fill();

        List<LogItem> batch = new ArrayList<>();
        long tx = 11;
        StorageFaultException fault = null;
        // Write until the mapping reaches a page the full volume cannot back (at most the file's 1 MiB block).
        for (int i = 0; i < 200 && fault == null; i++, tx++) {
            batch = txn(tx, 20, 1000);
            try {
                stored = s.appendLog(batch);
            } catch (StorageFaultException e) {
                fault = e;
            }
        }
        assumeTrue(fault != null, "the volume backed every page (nothing to test here)");
        LogOffset visibleAfterFault = s.latestOffset();
        assertEquals(true, visibleAfterFault.compareTo(stored) >= 0);

        volume.free();
        assertEquals(true, s.awaitWritable(java.time.Duration.ofSeconds(5)));
        assertEquals(batch.getLast().offset(), s.appendLog(batch));
        s.flush();
        List<LogOffset> offsets = drainOffsets(s.readLog(LogOffset.LAST_BEFORE_REAL_OFFSETS, LogOffset.LAST));
        assertEquals(2 + 20L * (tx - 11), offsets.size(), "every item once");
        for (int i = 1; i < offsets.size(); i++) {
            assertEquals(true, offsets.get(i).isAfter(offsets.get(i - 1)), "in order at " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> s.readSnapshotChunk(-1));
    }
}
