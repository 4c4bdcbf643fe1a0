package dev.ampere.shapecache.storage;

import dev.ampere.changes.LogOffset;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@link ShapeStorage} for one shape handle: snapshot chunks in plain files ({@link SnapshotChunks}), the main
 * log in a pooled Chronicle queue ({@link ShapeLog}), and one {@link ChangeSignal} both writers bump.
 *
 * <p>An idle shape holds only this object, its two small state holders and their published immutable state
 * (its directory is derived from the handle on use, {@link ShapePath}); no file, buffer or
 * mapping stays open for it.
 *
 * <p>Every write goes through the stack's {@link StorageSpace} first and has its faults named by it: a write the
 * volume has no room for fails as a {@link StorageFaultException} before anything is written.
 *
 * <p>Threading: as {@link ShapeStorage} says - one snapshot writer, one log writer, any number of readers, and
 * durability ({@link #flush}, {@link #syncGroup}) from any thread.
 * Created and deleted through {@link ChronicleStackStorage}.
 */
final class ChronicleShapeStorage implements ShapeStorage {
    private static final long SMALL_WRITE_BYTES = 4096;
    private final String handle;
    private final ChangeSignal signal;
    private final SnapshotChunks snapshot;
    private final ShapeLog log;
    private final StorageSpace space;
    private final ChronicleSync sync;
    private volatile boolean deleted;

    ChronicleShapeStorage(String handle, ChangeSignal signal, SnapshotChunks snapshot, ShapeLog log,
                          StorageSpace space, ChronicleSync sync) {
        this.handle = handle;
        this.sync = sync;
        this.space = space;
        this.signal = signal;
        this.snapshot = snapshot;
        this.log = log;
    }

    @Override
    public long storedBytes() {
        return DiskUsage.bytesUnder(snapshot.shapeDir());
    }

    @Override
    public String handle() {
        return handle;
    }

    @Override
    public void appendSnapshotRow(byte[] json, int off, int len) throws IOException {
        checkLive();
        space.beforeWrite(len + 4L);
        try {
            snapshot.append(json, off, len);
        } catch (IOException | RuntimeException | InternalError e) {
            throw space.fault(e);
        }
    }

    @Override
    public void completeSnapshot(SnapshotInfo info) throws IOException {
        checkLive();
        space.beforeWrite(SMALL_WRITE_BYTES);
        try {
            snapshot.complete(info);
        } catch (IOException | RuntimeException | InternalError e) {
            throw space.fault(e);
        }
    }

    @Override
    public SnapshotState snapshotState() {
        SnapshotChunks.Progress p = snapshot.progress();
        return new SnapshotState(p.chunk() + 1, p.complete(), Optional.ofNullable(p.info()));
    }

    @Override
    public ItemCursor readSnapshotChunk(int k) {
        checkLive();
        if (k < 0) throw new IllegalArgumentException("negative chunk " + k);
        return new SnapshotChunkCursor(snapshot, k);
    }

    @Override
    public LogOffset appendLog(List<LogItem> items) {
        checkLive();
        long bytes = SMALL_WRITE_BYTES;
        for (LogItem item : items) bytes += item.json().length + item.key().length() + 64L;
        // Its first append creates the shape's queue: a block of the mapped file and its index.
        if (log.latestOffset().equals(LogOffset.LAST_BEFORE_REAL_OFFSETS)) bytes += ChronicleLogRecovery.BLOCK_SIZE;
        space.beforeWrite(bytes);
        try {
            LogOffset latest = log.append(items);
            space.written();
            return latest;
        } catch (RuntimeException | InternalError e) {
            throw space.fault(e);
        }
    }

    @Override
    public LogOffset flush() throws IOException {
        checkLive();
        try {
            return log.flush();
        } catch (IOException | RuntimeException | InternalError e) {
            throw space.fault(e);
        }
    }

    @Override
    public StorageSync syncGroup() {
        return sync;
    }

    /** Any thread: the log end a sync of the file system starting now makes durable; null when nothing is new. */
    LogOffset publishedForSync() throws IOException {
        checkLive();
        return log.publishedForSync();
    }

    /** Any thread: a sync of the file system that followed {@link #publishedForSync} returned. */
    void markDurable(LogOffset offset) {
        log.markDurable(offset);
    }

    @Override
    public boolean awaitWritable(java.time.Duration timeout) throws InterruptedException {
        return space.awaitWritable(timeout);
    }

    @Override
    public LogOffset latestOffset() {
        return log.latestOffset();
    }

    @Override
    public LogOffset durableOffset() {
        return log.durableOffset();
    }

    @Override
    public LogOffset chunkEnd(LogOffset offset) {
        return log.chunkEnd(offset);
    }

    @Override
    public List<LogOffset> chunkBoundaries() {
        return log.boundaries();
    }

    @Override
    public ItemCursor readLog(LogOffset after, LogOffset upTo) {
        checkLive();
        return log.read(after, upTo);
    }

    @Override
    public boolean isChunkStart(LogOffset offset) {
        return log.isChunkStart(offset);
    }

    @Override
    public long snapshotChunkBytes(int k) {
        SnapshotChunks.Progress p = snapshot.progress();
        if (k > p.chunk()) return -1;
        try {
            return Files.size(ShapeLayout.chunkFile(snapshot.shapeDir(), k));
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public Optional<StoredCopy> storedCopy(String name) throws IOException {
        checkLive();
        Path file = ShapeLayout.copyFile(snapshot.shapeDir(), name);
        try {
            return Optional.of(new StoredCopy(file, Files.size(file)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<StoredCopy> writeCopy(String name, CopyWriter writer) throws IOException {
        checkLive();
        space.beforeWrite(SMALL_WRITE_BYTES);
        Path target = ShapeLayout.copyFile(snapshot.shapeDir(), name);
        // One writer per name (the caller's rule), so a fixed temporary name is safe; one left by a crash is
        // overwritten by the next attempt and removed with the shape.
        Path temp = target.resolveSibling(target.getFileName() + ShapeLayout.TEMP_SUFFIX);
        FileFailures file = null;
        try {
            // No CREATE_NEW of directories: a shape deleted meanwhile has no directory, and the open fails.
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                file = new FileFailures(Channels.newOutputStream(ch));
                try (OutputStream out = new BufferedOutputStream(file, 64 * 1024)) {
                    writer.writeTo(out);
                    out.flush();
                    ch.force(false);
                }
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            space.written();
            return Optional.of(new StoredCopy(target, Files.size(target)));
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the shape may be going; a leftover temporary file goes with it
            }
            if (file == null || file.failed || e instanceof NoSuchFileException) throw space.fault(e);
            throw e;
        }
    }

    /** The file side of a copy being written: remembers whether a failure came from the file, not the writer. */
    private static final class FileFailures extends FilterOutputStream {
        boolean failed;

        FileFailures(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }
    }

    @Override
    public long changeVersion() {
        return signal.version();
    }

    @Override
    public boolean awaitChange(long seenVersion, long timeout, TimeUnit unit) throws InterruptedException {
        return signal.await(seenVersion, timeout, unit);
    }

    @Override
    public void signalReaders() {
        signal.bump();
    }

    @Override
    public int readersWaiting() {
        return signal.waiters();
    }

    /** Marks the shape gone, wakes waiters, releases its queue and writer file; the caller removes the files. */
    void markDeleted() {
        deleted = true;
        snapshot.abandon();
        log.discard();
        signal.bump();
    }

    /** Storage shutdown: release an unfinished snapshot writer's file. */
    void closeWriters() {
        snapshot.abandon();
    }

    boolean isDeleted() {
        return deleted;
    }

    private void checkLive() {
        if (deleted) throw new IllegalStateException("shape " + handle + " was deleted");
    }
}
