package dev.ampere.shapecache.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes completed snapshots durable, many shapes at a time (group commit). Sealing one snapshot is: its last chunk
 * durable, then its {@code shape.meta} written and durable, then the directory entries of the shape (recovery trusts
 * a shape whose meta it finds, so the meta must never be durable before the chunks it describes). Done one shape at a
 * time that is four fsyncs, each a journal commit: a burst of 1,000 new shapes cost about 4,000 of them, most of what
 * the burst waited on. With {@code syncfs(2)} ({@link FileSystemSync}) a batch of shapes needs two: one that makes
 * every waiting shape's chunks durable, then each meta written, then one that makes the metas and every new
 * directory entry durable. Without it (another OS, {@code -Dampere.storage.sync=fsync}), each shape is sealed with
 * its four fsyncs as before.
 *
 * <p>Batching needs no thread of its own: a caller queues its snapshot and, if no pass is running, runs one for
 * everything queued; callers that arrive during a pass wait for it to end, and the next of them runs the next pass
 * for all of them.
 *
 * <p>Threading: thread-safe; {@link #seal} blocks its caller (a shape's snapshotter) until its snapshot is durable.
 */
final class SnapshotSeals {
    private final Optional<FileSystemSync> fileSystem;
    private final ReentrantLock pass = new ReentrantLock();
    private final List<Request> queued = new ArrayList<>();

    /** One snapshot waiting to be sealed. */
    private record Request(Path lastChunk, Path shapeDir, byte[] meta, CompletableFuture<Void> done) {}

    /** With the stack's syncfs, shared with the log flushes ({@link ChronicleSync}, which owns and closes it). */
    SnapshotSeals(Optional<FileSystemSync> fileSystem) {
        this.fileSystem = fileSystem;
    }

    /**
     * Makes a completed snapshot durable: {@code lastChunk} (written, not yet synced; the earlier chunks were synced
     * when they closed), then {@code meta} as the shape's {@code shape.meta}, then the shape's directory entries.
     * Returns once all of that is durable.
     */
    void seal(Path lastChunk, Path shapeDir, byte[] meta) throws IOException {
        if (fileSystem.isEmpty()) {
            sealAlone(lastChunk, shapeDir, meta);
            return;
        }
        Request r = new Request(lastChunk, shapeDir, meta, new CompletableFuture<>());
        synchronized (queued) {
            queued.add(r);
        }
        while (!r.done().isDone()) {
            pass.lock();
            try {
                if (!r.done().isDone()) runPass();
            } finally {
                pass.unlock();
            }
        }
        try {
            r.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while sealing a snapshot");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IOException(e.getCause());
        }
    }

    /** Under the pass lock: seals everything queued with two syncs of the file system. */
    private void runPass() {
        List<Request> batch;
        synchronized (queued) {
            batch = new ArrayList<>(queued);
            queued.clear();
        }
        if (batch.isEmpty()) return;
        try {
            FileSystemSync fs = fileSystem.orElseThrow();
            fs.sync(); // every queued shape's chunks (and directories) are durable
            List<Request> written = new ArrayList<>(batch.size());
            for (Request r : batch) {
                try {
                    writeMeta(r.shapeDir(), r.meta());
                    written.add(r);
                } catch (IOException | RuntimeException e) {
                    r.done().completeExceptionally(e); // this shape only (deleted meanwhile, say)
                }
            }
            fs.sync(); // and now their metas, after the chunks they describe
            for (Request r : written) r.done().complete(null);
        } catch (IOException | RuntimeException e) {
            for (Request r : batch) r.done().completeExceptionally(e);
        }
    }

    private static void writeMeta(Path shapeDir, byte[] meta) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
                shapeDir.resolve(ShapeLayout.SHAPE_META), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(meta);
            while (buf.hasRemaining()) ch.write(buf);
        }
    }

    /** One shape on its own: the chunk, the meta, the shape's directory and its parent, each fsynced in order. */
    private static void sealAlone(Path lastChunk, Path shapeDir, byte[] meta) throws IOException {
        ShapeLayout.fsync(lastChunk);
        ShapeLayout.writeDurably(shapeDir.resolve(ShapeLayout.SHAPE_META), meta);
        ShapeLayout.fsyncDirectory(shapeDir);
        ShapeLayout.fsyncDirectory(shapeDir.getParent());
    }
}
