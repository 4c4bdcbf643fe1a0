package dev.ampere.shapecache.storage;

import dev.ampere.changes.LogOffset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The {@link StorageSync} of one {@link ChronicleStackStorage}: a whole batch of shapes made durable at once.
 *
 * <p>On Linux, one {@code syncfs(2)} of the file system holding the stack's directory ({@link FileSystemSync}):
 * each shape's published log end is read first, then one call writes back every dirty page and file-system entry
 * (the shapes' mapped queue files, their metadata, new files and directories) with one journal commit, and each
 * shape's durable offset moves to what was read. The cost is one journal commit per pass whatever the number of
 * shapes, where an fsync per shape costs one each (1,000 shapes: ≈90 ms against ≈1.3 s here, measured with one page
 * dirty per file). Its price: it also writes back whatever else is dirty on that file system. Elsewhere (no
 * syncfs, or the diagnostic switch {@code -Dampere.storage.sync=fsync}), each shape's files are fsynced, 16 shapes at a time.
 *
 * <p>Either way no Chronicle object is touched: the data is in the page cache (mapped writes go to the file's own
 * pages), so a sync by another thread, through another descriptor or for the whole file system, makes it durable
 * while the shapes' writers keep appending; what they append meanwhile is simply not claimed.
 *
 * <p>Threading: thread-safe; closed with its stack storage.
 */
final class ChronicleSync implements StorageSync, AutoCloseable {
    private static final int PARALLEL_FSYNCS = 16;
    private final Optional<FileSystemSync> fileSystem;
    private final StorageSpace space;
    private ExecutorService fsyncs; // made on first use, under this object's lock

    ChronicleSync(Path stackDir, boolean useSyncfs, StorageSpace space) {
        this.fileSystem = useSyncfs ? FileSystemSync.open(stackDir) : Optional.empty();
        this.space = space;
    }

    /** The syncfs of the stack's file system, where it is used; snapshots are sealed with it too. */
    Optional<FileSystemSync> fileSystem() {
        return fileSystem;
    }

    /** Whether one syncfs per pass is used (else an fsync per shape). */
    boolean usesSyncfs() {
        return fileSystem.isPresent();
    }

    @Override
    public void syncAll(List<? extends ShapeStorage> shapes) throws IOException {
        List<ChronicleShapeStorage> live = new ArrayList<>(shapes.size());
        List<ShapeStorage> others = new ArrayList<>(0);
        for (ShapeStorage s : shapes) {
            if (s instanceof ChronicleShapeStorage c) {
                if (!c.isDeleted()) live.add(c);
            } else {
                others.add(s);
            }
        }
        try {
            if (fileSystem.isPresent()) syncFileSystem(live);
            else fsyncEach(live);
        } catch (IOException | RuntimeException | InternalError e) {
            throw space.fault(e);
        }
        StorageSync.ONE_BY_ONE.syncAll(others);
    }

    private void syncFileSystem(List<ChronicleShapeStorage> shapes) throws IOException {
        List<ChronicleShapeStorage> dirty = new ArrayList<>(shapes.size());
        List<LogOffset> ends = new ArrayList<>(shapes.size());
        for (ChronicleShapeStorage s : shapes) {
            LogOffset end;
            try {
                end = s.publishedForSync();
            } catch (IllegalStateException | java.nio.file.NoSuchFileException e) {
                if (!s.isDeleted()) throw e;
                continue; // deleted meanwhile: nothing of it is reported any more
            }
            if (end == null) continue;
            dirty.add(s);
            ends.add(end);
        }
        if (dirty.isEmpty()) return;
        fileSystem.orElseThrow().sync();
        for (int i = 0; i < dirty.size(); i++) dirty.get(i).markDurable(ends.get(i));
    }

    private void fsyncEach(List<ChronicleShapeStorage> shapes) throws IOException {
        if (shapes.size() == 1) {
            flushUnlessDeleted(shapes.getFirst());
            return;
        }
        List<Future<Void>> done = new ArrayList<>(shapes.size());
        ExecutorService pool = pool();
        for (ChronicleShapeStorage s : shapes) {
            done.add(pool.submit(() -> {
                flushUnlessDeleted(s);
                return null;
            }));
        }
        IOException failed = null;
        for (Future<Void> f : done) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while syncing shape logs");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException r) throw r;
                if (failed == null) failed = c instanceof IOException io ? io : new IOException(c);
            }
        }
        if (failed != null) throw failed;
    }

    private static void flushUnlessDeleted(ChronicleShapeStorage s) throws IOException {
        if (s.isDeleted()) return;
        try {
            s.flush();
        } catch (IllegalStateException | java.nio.file.NoSuchFileException e) {
            if (!s.isDeleted()) throw e; // a shape deleted under the sync has nothing left to report
        }
    }

    private synchronized ExecutorService pool() {
        if (fsyncs == null) {
            fsyncs = Executors.newFixedThreadPool(PARALLEL_FSYNCS,
                    Thread.ofPlatform().name("shape-log-fsync-", 0).daemon(true).factory());
        }
        return fsyncs;
    }

    @Override
    public synchronized void close() {
        fileSystem.ifPresent(FileSystemSync::close);
        if (fsyncs != null) fsyncs.shutdownNow();
    }
}
