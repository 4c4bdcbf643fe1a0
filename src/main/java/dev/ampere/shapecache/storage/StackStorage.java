package dev.ampere.shapecache.storage;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * All stored shapes of one stack: creation, lookup, deletion and restart recovery (docs/protocol.md §3.8, §3.9).
 *
 * <p>Threading: thread-safe. Create, delete and recover are meant to come from the ShapeCache process; lookups
 * from anywhere. Deleting a shape while its writers still run makes their next call fail, so stop the shape's
 * consumer first (Electric's clean path does the same).
 */
public interface StackStorage extends AutoCloseable {
    /**
     * Creates the storage of a new shape and stores its definition, an opaque blob the caller can parse back at
     * recovery. Fails if the handle already exists.
     */
    ShapeStorage create(String handle, byte[] definition) throws IOException;

    /** The storage of a live (created or recovered) shape. */
    Optional<ShapeStorage> get(String handle);

    /** Deletes a shape's data. Readers holding cursors finish against the unlinked files. No-op if unknown. */
    void delete(String handle) throws IOException;

    /** Deletes every shape of the stack (timeline change, lost slot). */
    void deleteAll() throws IOException;

    /**
     * Lists the shapes stored by a previous run and registers them for {@link #get}. Shapes without a completed
     * snapshot, with a missing, foreign-format or corrupt definition, or with truncated snapshot chunks are
     * deleted and reported. Cheap per shape: no Chronicle queue is opened (the log state loads on first use).
     * Call once at start, before creating shapes.
     */
    Recovery recover() throws IOException;

    /** A recovered shape: its handle, the definition blob given to {@link #create}, and its snapshot. */
    record StoredShape(String handle, byte[] definition, SnapshotInfo snapshot, int snapshotChunks) {
    }

    record Recovery(List<StoredShape> shapes, List<String> deletedHandles) {
    }

    /** Chronicle queues currently open (bounded by the configured maximum except while all are in use). */
    int openLogQueues();

    @Override
    void close();
}
