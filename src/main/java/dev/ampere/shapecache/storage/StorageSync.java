package dev.ampere.shapecache.storage;

import java.io.IOException;
import java.util.List;

/**
 * The durability step of many shapes at once (docs/architecture.md, "Data flow"): for each shape given, everything
 * its log writer had appended and published when the call started is durable when it returns. This is how a
 * stack's flusher makes a whole batch of shapes durable in one pass instead of one fsync per shape per transaction.
 *
 * <p>Durability is not a write: it never touches a shape's Chronicle appender, mapped buffers or writer state, only
 * what the writer has already published (the log's end, read through a volatile) and the files by path, so it may
 * run on any thread while the shapes' writers keep appending. What they append during the call may or may not be
 * durable at its end, and is not claimed.
 *
 * <p>Threading: thread-safe.
 */
public interface StorageSync {
    /**
     * Makes the shapes' appended log items durable and records it ({@link ShapeStorage#durableOffset()}). Shapes
     * deleted meanwhile are skipped. Throws {@link StorageFaultException} when the storage cannot take writes (the
     * caller waits with {@link ShapeStorage#awaitWritable} and tries again), another exception when the durability
     * of what was written is unknown.
     */
    void syncAll(List<? extends ShapeStorage> shapes) throws IOException;

    /** One {@link ShapeStorage#flush()} per shape, in turn: for storages without a group step of their own. */
    StorageSync ONE_BY_ONE = shapes -> {
        for (ShapeStorage s : shapes) s.flush();
    };
}
