package dev.ampere.shapecache;

import dev.ampere.changes.LogOffset;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapes.ShapeDefinition;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What HTTP threads read about a live shape without asking any process: its handle, definition and storage, the
 * latest offset readers may serve (moved only at transaction ends, so no reader sees half a transaction), whether
 * its snapshot has started, and whether it has been removed.
 *
 * <p>Thread-safe. The latest offset is written only by the shape's consumer; the snapshot future is completed by
 * the consumer or the snapshotter; {@link #markRemoved} by the ShapeCache.
 */
public final class ShapeStatus {
    private final String handle;
    private final ShapeDefinition definition;
    private final ShapeStorage storage;
    private final CompletableFuture<Void> snapshotStarted = new CompletableFuture<>();
    private volatile LogOffset latestOffset;
    private volatile boolean removed;

    public ShapeStatus(String handle, ShapeDefinition definition, ShapeStorage storage, LogOffset latestOffset) {
        this.handle = handle;
        this.definition = definition;
        this.storage = storage;
        this.latestOffset = latestOffset;
    }

    public String handle() {
        return handle;
    }

    public ShapeDefinition definition() {
        return definition;
    }

    public ShapeStorage storage() {
        return storage;
    }

    /** The end of the last complete transaction stored, or {@code 0_inf} before any. */
    public LogOffset latestOffset() {
        return latestOffset;
    }

    public void publishLatestOffset(LogOffset offset) {
        latestOffset = offset;
    }

    public void snapshotStarted() {
        snapshotStarted.complete(null);
    }

    public void snapshotFailed(Throwable error) {
        snapshotStarted.completeExceptionally(error);
    }

    /**
     * Waits until the snapshot has started (rows may still be arriving); throws the snapshot's failure, or
     * {@link TimeoutException}.
     */
    public void awaitSnapshotStart(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException,
            java.util.concurrent.ExecutionException {
        snapshotStarted.get(timeout, unit);
    }

    public boolean isRemoved() {
        return removed;
    }

    public void markRemoved() {
        removed = true;
    }
}
