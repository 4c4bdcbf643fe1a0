package dev.ampere.shapecache.storage;

import static dev.ampere.shapecache.storage.StorageTestSupport.drain;
import static dev.ampere.shapecache.storage.StorageTestSupport.json;
import static dev.ampere.shapecache.storage.StorageTestSupport.jsonOf;
import static dev.ampere.shapecache.storage.StorageTestSupport.txn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ampere.changes.LogOffset;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChronicleStackStorageTest {
    @TempDir
    Path dir;
    ChronicleStackStorage stack;

    @AfterEach
    void close() {
        if (stack != null) stack.close();
    }

    private ChronicleStackStorage open(int maxOpen) throws Exception {
        if (stack != null) stack.close();
        stack = new ChronicleStackStorage(dir, "stack", 1 << 20, maxOpen);
        return stack;
    }

    private ShapeStorage completeShape(String handle, String definition) throws Exception {
        ShapeStorage s = stack.create(handle, json(definition));
        s.appendSnapshotRow(json("{\"row\":\"" + handle + "\"}"));
        s.completeSnapshot(new SnapshotInfo(7, 9, new long[] {8}));
        return s;
    }

    private Path shapeDir(String handle) {
        return dir.resolve("shapes/stack").resolve(ShapeLayout.prefix(handle)).resolve(handle);
    }

    @Test
    void shapesLiveUnderAPrefixDirectory() throws Exception {
        open(4);
        ShapeStorage s = stack.create("123-456", json("{}"));
        assertFalse(Files.exists(shapeDir("123-456").resolve("shape.meta")), "no meta before completion");
        s.appendSnapshotRow(json("{}"));
        s.completeSnapshot(new SnapshotInfo(1, 2, new long[0]));
        assertTrue(Files.isRegularFile(shapeDir("123-456").resolve("shape.meta")));
        assertTrue(Files.isRegularFile(shapeDir("123-456").resolve("0.chunk")));
        assertFalse(Files.exists(shapeDir("123-456").resolve("log")), "no queue before the first log item");
        assertThrows(FileAlreadyExistsException.class, () -> stack.create("123-456", json("{}")));
        assertThrows(IllegalArgumentException.class, () -> stack.create("../evil", json("{}")));
    }

    @Test
    void recoveryListsCompleteShapesAndDeletesBrokenOnes() throws Exception {
        open(4);
        ShapeStorage a = completeShape("a-1", "{\"table\":\"a\"}");
        a.appendLog(txn(100, 2, 60));
        a.flush();
        completeShape("b-2", "{\"table\":\"b\"}");
        stack.create("incomplete-3", json("{}")).appendSnapshotRow(json("{}"));
        completeShape("corrupt-4", "{}");
        completeShape("truncated-5", "{}");
        stack.close();
        Path meta = shapeDir("corrupt-4").resolve("shape.meta");
        byte[] bytes = Files.readAllBytes(meta);
        bytes[bytes.length / 2] ^= 1; // one flipped bit: the checksum catches it
        Files.write(meta, bytes);
        Path chunk = shapeDir("truncated-5").resolve("0.chunk");
        Files.write(chunk, java.util.Arrays.copyOf(Files.readAllBytes(chunk), 3));

        open(4);
        StackStorage.Recovery r = stack.recover();
        Map<String, StackStorage.StoredShape> found = new TreeMap<>();
        for (StackStorage.StoredShape s : r.shapes()) found.put(s.handle(), s);
        assertEquals(List.of("a-1", "b-2"), List.copyOf(found.keySet()));
        assertArrayEquals(json("{\"table\":\"a\"}"), found.get("a-1").definition());
        assertEquals(new SnapshotInfo(7, 9, new long[] {8}), found.get("a-1").snapshot());
        assertEquals(1, found.get("a-1").snapshotChunks());
        assertEquals(List.of("corrupt-4", "incomplete-3", "truncated-5"), r.deletedHandles().stream().sorted().toList());
        for (String gone : r.deletedHandles()) {
            assertFalse(Files.exists(shapeDir(gone)), gone);
            assertTrue(stack.get(gone).isEmpty());
        }

        ShapeStorage a2 = stack.get("a-1").orElseThrow();
        assertEquals(LogOffset.of(100, 2), a2.latestOffset());
        assertEquals(List.of("{\"row\":\"a-1\"}"), drain(a2.readSnapshotChunk(0)));
        assertTrue(a2.snapshotState().complete());
        assertEquals(LogOffset.LAST_BEFORE_REAL_OFFSETS, stack.get("b-2").orElseThrow().latestOffset());
    }

    @Test
    void deleteRemovesDataAndLetsTheHandleBeReused() throws Exception {
        open(4);
        ShapeStorage s = completeShape("gone-1", "{}");
        s.appendLog(txn(100, 2, 60));
        ItemCursor inFlight = s.readLog(LogOffset.BEFORE_ALL, LogOffset.LAST);
        stack.delete("gone-1");
        assertFalse(Files.exists(shapeDir("gone-1")));
        assertTrue(stack.get("gone-1").isEmpty());
        assertThrows(IllegalStateException.class, () -> s.appendLog(txn(200, 1, 10)));
        assertEquals(2, drain(inFlight).size(), "a read in flight finishes against the unlinked files");
        assertEquals(0, stack.openLogQueues());

        ShapeStorage again = completeShape("gone-1", "{}");
        assertEquals(LogOffset.LAST_BEFORE_REAL_OFFSETS, again.latestOffset());
        stack.close();
        open(4);
        assertEquals(List.of("gone-1"), stack.recover().shapes().stream().map(StackStorage.StoredShape::handle).toList());
        assertEquals(LogOffset.LAST_BEFORE_REAL_OFFSETS, stack.get("gone-1").orElseThrow().latestOffset());
    }

    @Test
    void storedCopiesAreWrittenWholeKeptAcrossRestartsAndRemovedWithTheShape() throws Exception {
        open(4);
        ShapeStorage s = completeShape("copy-1", "{}");
        assertTrue(s.storedCopy("snapshot-0.gz").isEmpty());
        StoredCopy copy = s.writeCopy("snapshot-0.gz", out -> out.write(json("compressed bytes"))).orElseThrow();
        assertEquals(16, copy.length());
        assertFalse(Files.exists(shapeDir("copy-1").resolve("snapshot-0.gz.copy.tmp")), "the temporary file was renamed");
        assertThrows(IllegalArgumentException.class, () -> s.storedCopy("../escape"));

        // A writer that fails leaves no copy (and no temporary file).
        assertThrows(IOException.class, () -> s.writeCopy("log-1_0-2_0.gz", out -> {
            out.write(json("half"));
            throw new IOException("the chunk could not be read");
        }));
        assertTrue(s.storedCopy("log-1_0-2_0.gz").isEmpty());
        assertFalse(Files.exists(shapeDir("copy-1").resolve("log-1_0-2_0.gz.copy.tmp")));

        stack.close();
        open(4);
        assertEquals(List.of("copy-1"), stack.recover().shapes().stream().map(StackStorage.StoredShape::handle).toList());
        StoredCopy back = stack.get("copy-1").orElseThrow().storedCopy("snapshot-0.gz").orElseThrow();
        java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
        try (StoredCopy.Reader r = back.open()) {
            r.transferTo(read);
        }
        assertArrayEquals(json("compressed bytes"), read.toByteArray());

        stack.delete("copy-1");
        assertFalse(Files.exists(shapeDir("copy-1")), "the copy went with the shape");
    }

    @Test
    void deleteAllEmptiesTheStack() throws Exception {
        open(4);
        for (int i = 0; i < 5; i++) completeShape("h-" + i, "{}").appendLog(txn(10, 1, 10));
        stack.deleteAll();
        try (Stream<Path> left = Files.walk(dir.resolve("shapes/stack"))) {
            assertEquals(1, left.count(), "only the stack directory remains");
        }
        stack.close();
        open(4);
        assertEquals(0, stack.recover().shapes().size());
    }

    @Test
    void queuesBeyondTheLimitAreClosedAndReopenedOnDemand() throws Exception {
        open(2);
        List<ShapeStorage> shapes = new ArrayList<>();
        for (int i = 0; i < 6; i++) shapes.add(completeShape("lru-" + i, "{}"));
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < shapes.size(); i++) {
                shapes.get(i).appendLog(txn(100L * (round + 1), 1 + i, 50));
                assertTrue(stack.openLogQueues() <= 2, "open queues " + stack.openLogQueues());
            }
        }
        for (int i = 0; i < shapes.size(); i++) {
            List<LogItem> expected = new ArrayList<>();
            for (int round = 0; round < 3; round++) expected.addAll(txn(100L * (round + 1), 1 + i, 50));
            assertEquals(jsonOf(expected), drain(shapes.get(i).readLog(LogOffset.BEFORE_ALL, LogOffset.LAST)));
            assertTrue(stack.openLogQueues() <= 2);
        }
        // Leased queues are never closed under a reader: hold three cursors open at once with a limit of two.
        List<ItemCursor> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) held.add(shapes.get(i).readLog(LogOffset.BEFORE_ALL, LogOffset.LAST));
        assertEquals(3, stack.openLogQueues());
        for (ItemCursor c : held) assertEquals(3 * (1 + held.indexOf(c)), drain(c).size());
        assertTrue(stack.openLogQueues() <= 2, "shrinks back once leases end");
    }
}
