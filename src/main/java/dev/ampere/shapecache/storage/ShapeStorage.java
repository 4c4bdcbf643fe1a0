package dev.ampere.shapecache.storage;

import dev.ampere.changes.LogOffset;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The stored data of one shape handle: its snapshot region (chunks {@code 0_0, 0_1, ...}) and its main log, as
 * pre-encoded JSON items served byte for byte (docs/protocol.md §1.6, §1.11, §1.13).
 *
 * <p>Threading rules:
 * <ul>
 *   <li>One <b>snapshot writer</b> thread calls {@link #appendSnapshotRow} and {@link #completeSnapshot}.</li>
 *   <li>One <b>log writer</b> thread (the shape's consumer) calls {@link #appendLog}. It may be a different thread
 *   from the snapshot writer.</li>
 *   <li>Durability ({@link #flush}, {@link #syncGroup}) may come from any thread, concurrently with the writers
 *   (the stack's flusher): it makes durable what the log writer has published, and writes nothing.</li>
 *   <li>Any number of <b>reader</b> threads call everything else, concurrently with the writers. Readers see only
 *   fully written items: snapshot rows as published by the writer's buffer, log items a whole
 *   {@link #appendLog} batch at a time. Readers never block a writer.</li>
 * </ul>
 *
 * <p>The main log's state loads lazily on first use, so the first call on a recovered shape may open its
 * Chronicle queue (about a millisecond). Any method may throw {@link StorageCorruptException} when stored data
 * cannot be read back as written: the remedy is to delete the shape (clients get must-refetch). Writes may throw
 * {@link StorageFaultException} when the storage cannot take them (no space left on device): nothing of the
 * write is visible, the stored data stays valid, and the writer retries after {@link #awaitWritable}.
 *
 * <p>How the HTTP layer maps requests (docs/protocol.md §1.13): {@code offset=-1} serves
 * {@code readSnapshotChunk(0)} with {@code electric-offset 0_0}; {@code offset=0_k} serves chunk {@code k+1} while
 * {@code k+1 < chunksStarted} or the snapshot is incomplete (the cursor waits or ends), otherwise the main log
 * from {@code 0_inf}; any other offset {@code o} serves {@code readLog(o, chunkEnd(o))} with
 * {@code electric-offset = chunkEnd(o)}.
 */
public interface ShapeStorage {
    String handle();

    // ---- snapshot region (snapshot writer) ----

    /**
     * Appends one snapshot row (its complete JSON message). The current chunk is closed when its JSON bytes reach
     * the chunk threshold; the next row opens the next chunk. Rows become visible to readers in batches (every
     * 32 KiB of rows, at each chunk end, and at completion).
     */
    void appendSnapshotRow(byte[] json, int off, int len) throws IOException;

    default void appendSnapshotRow(byte[] json) throws IOException {
        appendSnapshotRow(json, 0, json.length);
    }

    /**
     * Closes the last chunk and durably records the snapshot as complete together with its Postgres snapshot.
     * A snapshot with no rows still has one (empty) chunk {@code 0_0}. Only shapes with a completed snapshot are
     * recovered after a restart.
     */
    void completeSnapshot(SnapshotInfo info) throws IOException;

    // ---- snapshot region (readers) ----

    /** What the snapshot region holds right now. */
    SnapshotState snapshotState();

    /**
     * Reads snapshot chunk {@code k}. The cursor answers {@link ItemCursor.Step#NOT_YET} while the chunk (or the
     * chunk's start) is still being written, and {@link ItemCursor.Step#END} when the chunk is done, or when the
     * snapshot completed with fewer chunks (the reader then moves on to the main log).
     */
    ItemCursor readSnapshotChunk(int k) throws IOException;

    // ---- main log (log writer) ----

    /**
     * Appends one transaction's (or fragment's) items in one batch. Items whose offsets are not above the stored
     * latest offset are skipped, so replaying a transaction after a crash stores nothing twice. Offsets must
     * ascend. Chunk boundaries follow §1.13 and are stored with the items, so they never move. Returns the latest
     * offset. Writes are not durable until {@link #flush()}.
     */
    LogOffset appendLog(List<LogItem> items);

    /**
     * Log writer: after a {@link StorageFaultException}, waits up to {@code timeout} for the storage to be worth
     * another try (space came back); true when it is. The writer keeps what it could not store and retries.
     */
    default boolean awaitWritable(java.time.Duration timeout) throws InterruptedException {
        Thread.sleep(timeout);
        return true;
    }

    /**
     * Any thread: makes every log item appended and published before the call durable (one fsync per file, never
     * per item) and returns the highest durable offset.
     */
    LogOffset flush() throws IOException;

    /**
     * The group durability step this shape belongs to: the stack's flusher makes many shapes durable with one call
     * of it (for Chronicle storage, one {@code syncfs} of the file system where Linux offers it). Thread-safe.
     */
    default StorageSync syncGroup() {
        return StorageSync.ONE_BY_ONE;
    }

    // ---- main log (readers) ----

    /** The last stored log item's offset, or {@code 0_inf} when the main log is empty. */
    LogOffset latestOffset();

    /** The highest offset known durable: as of the last {@link #flush()}; {@code 0_inf} before the first flush. */
    LogOffset durableOffset();

    /**
     * The end of the chunk served for a request from {@code offset}: the first chunk boundary above it, else the
     * latest offset (§1.13). Boundaries never move, so the same request always gets the same range.
     */
    LogOffset chunkEnd(LogOffset offset);

    /** All chunk boundaries of the main log, ascending (diagnostics and tests). */
    List<LogOffset> chunkBoundaries();

    /**
     * Log items with {@code after < offset <= upTo}, limited to what was published when the call started. The
     * usual call is {@code readLog(o, chunkEnd(o))}.
     */
    ItemCursor readLog(LogOffset after, LogOffset upTo) throws IOException;

    /**
     * True when a log chunk starts right after {@code offset}: it is {@code 0_inf} or a chunk boundary. The range
     * {@code (offset, chunkEnd(offset)]} is then a whole chunk, the same for every request.
     */
    default boolean isChunkStart(LogOffset offset) {
        return offset.equals(LogOffset.LAST_BEFORE_REAL_OFFSETS) || chunkBoundaries().contains(offset);
    }

    /** The size in bytes of snapshot chunk {@code k}'s stored records, or -1 when it has none yet or is unknown. */
    default long snapshotChunkBytes(int k) {
        return -1;
    }

    // ---- stored copies (readers) ----

    /** Writes the bytes of a {@link #writeCopy stored copy}. */
    @FunctionalInterface
    interface CopyWriter {
        void writeTo(java.io.OutputStream out) throws IOException;
    }

    /**
     * The stored copy named {@code name}, if one was written: a body derived from immutable data (a compressed
     * chunk), kept with the shape and removed with it. Names are letters, digits, {@code _ . -}.
     */
    default Optional<StoredCopy> storedCopy(String name) throws IOException {
        return Optional.empty();
    }

    /**
     * Stores a copy: the bytes {@code writer} produces go to a temporary file, which is fsynced and then renamed
     * into place, so a copy that {@link #storedCopy} finds is whole (after a crash too). One writer per name at a
     * time: the caller makes sure of that. Empty when this storage keeps no copies. Throws
     * {@link StorageFaultException} when the volume cannot take the copy (nothing is then stored), and whatever
     * {@code writer} throws.
     */
    default Optional<StoredCopy> writeCopy(String name, CopyWriter writer) throws IOException {
        return Optional.empty();
    }

    // ---- change notification (readers) ----

    /** A counter that moves whenever a writer publishes anything. Read it before reading data. */
    long changeVersion();

    /**
     * Blocks until {@link #changeVersion()} differs from {@code seenVersion} (returns true) or the timeout
     * passes (false). Use it after a read that found nothing new ({@code NOT_YET}, or an empty log range).
     */
    boolean awaitChange(long seenVersion, long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Moves {@link #changeVersion()} and wakes readers without publishing data: for the shape's owner, when the
     * shape's state (not its stored data) changed, so that every reader of the shape waits in one place.
     */
    void signalReaders();

    /** How many readers are waiting in {@link #awaitChange} right now (parked live requests, for instance). */
    int readersWaiting();

    /** The bytes of the shape's stored files (see {@link DiskUsage}); -1 when unknown. Walks the files: not hot. */
    default long storedBytes() {
        return -1;
    }

    /** Snapshot region state: chunks so far, whether complete, and the Postgres snapshot once complete. */
    record SnapshotState(int chunksStarted, boolean complete, Optional<SnapshotInfo> info) {
        /** The virtual offset of the last snapshot chunk, {@code 0_(chunksStarted-1)}. */
        public LogOffset lastChunkOffset() {
            return LogOffset.snapshotChunk(Math.max(0, chunksStarted - 1));
        }
    }
}
