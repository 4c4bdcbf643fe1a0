package dev.ampere.shapes;

import dev.ampere.changes.LogOffset;
import dev.ampere.shapecache.storage.ShapeStorage;

import java.util.concurrent.TimeUnit;

/**
 * Everything a reader may know about one live shape, in one place: its handle, definition and storage, how far its
 * snapshot has got, the latest offset readers may serve (moved only at transaction ends, so no reader sees half a
 * transaction), and whether the shape has ended (deleted, truncated, its schema changed, its snapshot failed).
 *
 * <p>One writer: the shape's {@link Consumer} (the package-private methods). Every reader (long-poll, SSE,
 * snapshot streaming, the shape cache) reads the volatile fields and, to wait, uses the one primitive
 * {@link #version()} / {@link #awaitChange}: take the version, check the state, and wait for the version to move.
 * The version moves when the consumer changes this state and when storage publishes new data (snapshot rows, log
 * items), so a reader never needs a second way to wait. Once ended, a shape's state never changes again.
 *
 * <p>Thread-safe.
 */
public final class ShapeState {
    /** How far the initial snapshot has got. */
    public enum Snapshot {
        /** Not yet known whether the snapshot query produces rows. */
        PENDING,
        /** The snapshot's first row is stored, or it is known to be empty: chunk 0 can be served. */
        READY,
        /** The snapshot query failed; see {@link #failure()}. The shape ends with it. */
        FAILED
    }

    private final String handle;
    private final ShapeDefinition definition;
    private final DefinitionKey definitionKey; // computed once: the shape table and aliases index by it
    private final ShapeStorage storage;
    private volatile LogOffset latestOffset;
    private volatile Snapshot snapshot;
    private volatile SnapshotFailure failure;
    private volatile String endReason;
    private volatile boolean moved;
    private volatile boolean suspended;
    private volatile long lastUsedNanos = System.nanoTime();

    /**
     * @param latestOffset what readers may see at first: {@code 0_inf} for a new shape, the stored end (bounded by
     *                     the slot's confirmed position) for a recovered one
     * @param snapshot     {@link Snapshot#PENDING} for a new shape, {@link Snapshot#READY} for a recovered one
     */
    public ShapeState(String handle, ShapeDefinition definition, ShapeStorage storage, LogOffset latestOffset,
                      Snapshot snapshot) {
        this.handle = handle;
        this.definition = definition;
        this.definitionKey = definition.key();
        this.storage = storage;
        this.latestOffset = latestOffset;
        this.snapshot = snapshot;
    }

    public String handle() {
        return handle;
    }

    public ShapeDefinition definition() {
        return definition;
    }

    /** {@link ShapeDefinition#key()} of this shape's definition. */
    public DefinitionKey definitionKey() {
        return definitionKey;
    }

    public ShapeStorage storage() {
        return storage;
    }

    /** The end of the last complete transaction stored, or {@code 0_inf} before any. */
    public LogOffset latestOffset() {
        return latestOffset;
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** Why the snapshot failed, once {@link #snapshot()} is {@link Snapshot#FAILED}; else null. */
    public SnapshotFailure failure() {
        return failure;
    }

    /** True once the shape has ended; its handle is then dead and clients must refetch. */
    public boolean hasEnded() {
        return endReason != null;
    }

    /**
     * True when the shape ended only because its processes stopped with the replication branch (a lost connection,
     * a Postgres restart), not because it was removed: its storage is kept, and the next ShapeCache recovers it under
     * the same handle, so a reader may wait for it to come back instead of telling its client to refetch.
     */
    public boolean isSuspended() {
        return suspended;
    }

    /** Why the shape ended, or null while it lives. */
    public String endReason() {
        return endReason;
    }

    /** The wait primitive's counter: read it before checking the state. */
    public long version() {
        return storage.changeVersion();
    }

    /** Readers waiting on this shape right now (parked live requests, SSE streams between events). */
    public int readersWaiting() {
        return storage.readersWaiting();
    }

    /** Waits until {@link #version()} differs from {@code seen}; false when {@code timeoutNanos} passed first. */
    public boolean awaitChange(long seen, long timeoutNanos) throws InterruptedException {
        if (timeoutNanos <= 0) return version() != seen;
        return storage.awaitChange(seen, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    // ---- last use: not the consumer's, a separate fact any request thread records ----

    /**
     * Records that a request used the shape now. Written by request threads, read by the ShapeCache to evict the
     * least recently used shapes ({@code ELECTRIC_MAX_SHAPES}). It is not part of the consumer's state: writes only
     * ever move it to "now", so racing writers commute (any of their times will do), and it is written at most every
     * {@link #USE_RESOLUTION_NANOS} so that a shape many clients follow does not bounce its cache line.
     */
    public void markUsed() {
        long now = System.nanoTime();
        if (now - lastUsedNanos > USE_RESOLUTION_NANOS) lastUsedNanos = now;
    }

    /** {@link System#nanoTime()} of the last recorded use (creation or recovery counts as one). */
    public long lastUsedNanos() {
        return lastUsedNanos;
    }

    private static final long USE_RESOLUTION_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    // ---- the consumer's side ----

    void publishLatestOffset(LogOffset offset) {
        latestOffset = offset;
        storage.signalReaders();
    }

    void snapshotReady() {
        if (snapshot == Snapshot.PENDING) snapshot = Snapshot.READY;
        storage.signalReaders();
    }

    void snapshotFailed(SnapshotFailure f) {
        failure = f;
        snapshot = Snapshot.FAILED;
        storage.signalReaders();
    }

    void end(String reason) {
        if (endReason == null) endReason = reason;
        storage.signalReaders();
    }

    /**
     * Ends the shape because rows moved in or out through a sub-select (docs/protocol.md §2.1, "Sub-selects"): the
     * definition is as valid as before, so readers may be pointed at a fresh shape of it.
     */
    void endMoved(String reason) {
        if (endReason == null) {
            moved = true;
            endReason = reason;
        }
        storage.signalReaders();
    }

    /** Whether the shape ended only because rows moved through a sub-select (its definition still holds). */
    public boolean endedByMove() {
        return moved && endReason != null;
    }

    /** Ends the shape as {@link #isSuspended() suspended}, unless it had ended for a reason of its own. */
    void suspend(String reason) {
        if (endReason == null) {
            suspended = true;
            endReason = reason;
        }
        storage.signalReaders();
    }

    @Override
    public String toString() {
        return "shape " + handle;
    }
}
