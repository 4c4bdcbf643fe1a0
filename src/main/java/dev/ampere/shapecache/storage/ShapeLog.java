package dev.ampere.shapecache.storage;

import dev.ampere.changes.LogOffset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The main log of one shape on a Chronicle queue: appends of transactions (or fragments), chunk boundaries
 * (docs/protocol.md §1.13), range reads and durability.
 *
 * <p>LogState readers need (latest offset and index, boundaries) is an immutable {@link State} published through a
 * volatile field after each append batch, so a read sees whole batches only and never more than was published.
 * The state is loaded lazily on first use (recovering 100k shapes must not open 100k queues), from the last item
 * and its chain of boundary back-pointers ({@link LogRecord}).
 *
 * <p>Threading: one writer thread calls {@link #append}; any thread may call the read methods and the durability
 * methods ({@link #flush}, {@link #publishedForSync}, {@link #markDurable}), which read only what the writer
 * published and take this object's lock among themselves. The writer never waits for readers or for durability:
 * readers only take short leases on the pooled queue and their own tailers.
 */
final class ShapeLog {
    private final ShapePath shapePath; // paths are derived per use: an idle shape keeps no Path
    private final QueuePool pool;
    private final long threshold;
    private final ChangeSignal signal;
    private volatile OverflowFiles overflow; // written by the writer (on the first oversized item), synced by anyone
    private volatile LogState state;
    private volatile LogOffset durable;
    private boolean directoriesSynced; // under this object's lock

    ShapeLog(ShapePath shapePath, QueuePool pool, long threshold, ChangeSignal signal, boolean isNew) {
        this.shapePath = shapePath;
        this.pool = pool;
        this.threshold = threshold;
        this.signal = signal;
        if (isNew) {
            this.state = LogState.EMPTY;
            this.durable = LogOffset.LAST_BEFORE_REAL_OFFSETS;
        }
    }


    private OverflowFiles overflow() {
        if (overflow == null) overflow = new OverflowFiles(shapePath.dir().resolve(ShapeLayout.OVERFLOW_DIR));
        return overflow;
    }

    LogState state() {
        LogState s = state;
        return s != null ? s : load();
    }

    private synchronized LogState load() {
        if (state != null) return state;
        LogState loaded = Files.isDirectory(shapePath.logDir()) ? ChronicleLogRecovery.loadState(pool, shapePath)
                : LogState.EMPTY;
        // After a process crash the tail may still sit only in the page cache: claim nothing durable until the
        // first flush has fsynced it (a replay that stores nothing new must not be acknowledged unsynced).
        durable = LogOffset.LAST_BEFORE_REAL_OFFSETS;
        directoriesSynced = false;
        state = loaded;
        return loaded;
    }

    /**
     * Writer only. Appends the items with offsets above the stored latest offset (earlier ones are a replay after
     * a crash and are skipped), as one batch that readers see all at once. Returns the latest offset.
     */
    LogOffset append(List<LogItem> items) {
        LogState s = state();
        int from = 0;
        while (from < items.size() && !items.get(from).offset().isAfter(s.latest())) from++;
        if (from == items.size()) return s.latest();
        for (int i = from + 1; i < items.size(); i++) { // validate first: a rejected batch must write nothing
            if (!items.get(i).offset().isAfter(items.get(i - 1).offset())) {
                throw new IllegalArgumentException("offsets must ascend: " + items.get(i).offset() + " after "
                        + items.get(i - 1).offset());
            }
        }
        try (QueuePool.Lease lease = pool.acquire(shapePath)) { // keyed by the shape: no Path is made per append
            state = appendAll(lease.appender(), s, items, from);
        } catch (RuntimeException | InternalError e) {
            // Part of the batch may be on disk: reload from the queue on next use. A fault inside a mapped write
            // (disk full) may have left the queue's appender mid-record: close the queue so it is reopened.
            state = null;
            pool.evict(shapePath);
            throw e;
        }
        signal.bump();
        return state.latest();
    }

    private LogState appendAll(ExcerptAppender appender, LogState s, List<LogItem> items, int from) {
        LogOffset latest = s.latest();
        long first = s.firstIndex();
        long index = s.latestIndex();
        long lastBoundary = s.lastBoundaryIndex();
        long chunkBytes = s.chunkBytes();
        long[] boundaries = s.boundaries();
        for (int i = from; i < items.size(); i++) {
            LogItem item = items.get(i);
            long count = chunkBytes + item.json().length;
            boolean boundary = count >= threshold;
            byte[] key = item.key().getBytes(StandardCharsets.UTF_8);
            boolean external = LogRecord.inlineSize(key, item.json()) > ChronicleLogRecovery.MAX_INLINE_RECORD_BYTES;
            if (external) {
                if (LogRecord.inlineSize(key, new byte[0]) > ChronicleLogRecovery.MAX_INLINE_RECORD_BYTES) {
                    throw new IllegalArgumentException("key of " + key.length + " bytes too large at " + item.offset());
                }
                overflow().write(item.offset(), item.json());
            }
            try (DocumentContext dc = appender.writingDocument()) {
                try {
                    LogRecord.write(dc.wire().bytes(), item, key, lastBoundary, count, boundary, external);
                } catch (RuntimeException | InternalError e) {
                    dc.rollbackOnClose(); // a record cut short by a storage fault is not committed
                    throw e;
                }
            }
            index = appender.lastIndexAppended();
            if (first < 0) first = index;
            if (boundary) {
                boundaries = Arrays.copyOf(boundaries, boundaries.length + 3);
                boundaries[boundaries.length - 3] = item.offset().tx();
                boundaries[boundaries.length - 2] = item.offset().op();
                boundaries[boundaries.length - 1] = index;
                lastBoundary = index;
                chunkBytes = 0;
            } else {
                chunkBytes = count;
            }
            latest = item.offset();
        }
        return new LogState(latest, first, index, lastBoundary, chunkBytes, boundaries,
                LogState.withRecent(s.recentBatchEnds(), latest, index));
    }

    /**
     * Any thread. Forces everything appended and published so far to disk (one fsync of the queue's data file; the
     * first time also its metadata file and directories) and returns the highest offset now durable.
     */
    synchronized LogOffset flush() throws IOException {
        LogState s = state();
        if (s.latestIndex() < 0 || s.latest().equals(durable)) return durable;
        OverflowFiles o = overflow;
        if (o != null) o.sync();
        Path logDir = shapePath.logDir();
        try (var files = Files.list(logDir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".cq4") || (!directoriesSynced && name.endsWith(".cq4t"))) ShapeLayout.fsync(f);
            }
        }
        if (!directoriesSynced) {
            ShapeLayout.fsyncDirectory(logDir);
            ShapeLayout.fsyncDirectory(logDir.getParent());
            directoriesSynced = true;
        }
        advanceDurable(s.latest());
        return durable;
    }

    /**
     * Any thread, before a sync of the whole file system: what that sync will make durable (the published end),
     * or null when there is nothing new. Overflow files are fsynced here, one by one (they are rare).
     */
    LogOffset publishedForSync() throws IOException {
        LogState s = state();
        if (s.latestIndex() < 0) return null;
        LogOffset d = durable;
        if (d != null && !s.latest().isAfter(d)) return null;
        OverflowFiles o = overflow;
        if (o != null) o.sync();
        return s.latest();
    }

    /** Any thread, after a sync of the whole file system that followed {@link #publishedForSync}. */
    synchronized void markDurable(LogOffset offset) {
        advanceDurable(offset);
    }

    private void advanceDurable(LogOffset offset) {
        LogOffset d = durable;
        if (d == null || offset.isAfter(d)) durable = offset;
    }

    LogOffset durableOffset() {
        state();
        return durable;
    }

    LogOffset latestOffset() {
        return state().latest();
    }

    /** The first boundary after {@code offset}, or the latest offset if there is none (§1.13). */
    LogOffset chunkEnd(LogOffset offset) {
        LogState s = state();
        int i = s.firstBoundaryAfter(offset);
        return i < s.boundaryCount() ? s.boundary(i) : s.latest();
    }

    /** True for {@code 0_inf} and for chunk boundaries: where a whole chunk starts. */
    boolean isChunkStart(LogOffset offset) {
        if (offset.equals(LogOffset.LAST_BEFORE_REAL_OFFSETS)) return true;
        LogState s = state();
        int i = s.firstBoundaryAfter(offset);
        return i > 0 && s.boundary(i - 1).equals(offset);
    }

    List<LogOffset> boundaries() {
        LogState s = state();
        LogOffset[] out = new LogOffset[s.boundaryCount()];
        for (int i = 0; i < out.length; i++) out[i] = s.boundary(i);
        return List.of(out);
    }

    /** Items with {@code after < offset <= upTo}, as published when the call starts. */
    ItemCursor read(LogOffset after, LogOffset upTo) {
        LogState s = state();
        if (s.latestIndex() < 0 || !s.latest().isAfter(after) || !upTo.isAfter(after)) return LogCursor.EMPTY;
        LogOffset end = upTo.isBefore(s.latest()) ? upTo : s.latest();
        QueuePool.Lease lease = pool.acquire(shapePath);
        ExcerptTailer tailer = null;
        try {
            tailer = lease.borrowTailer();
            long start = LogSeeker.positionAfter(tailer, s, after);
            return new LogCursor(lease, tailer, start, s.latestIndex(), end,
                    shapePath.dir().resolve(ShapeLayout.OVERFLOW_DIR));
        } catch (RuntimeException e) {
            if (tailer != null) lease.returnTailer(tailer);
            lease.close();
            throw e;
        }
    }

    /** Called when the shape is deleted: forget the queue so it is closed and not reopened from here. */
    void discard() {
        pool.evict(shapePath);
    }
}
