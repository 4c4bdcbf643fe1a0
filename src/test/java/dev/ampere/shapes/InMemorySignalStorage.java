package dev.ampere.shapes;

import dev.ampere.changes.LogOffset;
import dev.ampere.shapecache.storage.ItemCursor;
import dev.ampere.shapecache.storage.LogItem;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.SnapshotInfo;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ShapeStorage} that only implements change notification (version, wait, signal), for {@link ShapeState}'s
 * tests: every data method throws, except the snapshot writer's when made with {@link #recordingSnapshot} (it then
 * counts the rows and records the completion, for the Snapshotter's tests) and the log writer's when made with
 * {@link #recordingLog} (it then records each append, for the consumer's tests). {@link #publish()} stands for
 * storage publishing data.
 */
final class InMemorySignalStorage implements ShapeStorage {
    private final String handle;
    /** Null unless recording the snapshot: then run on the writer's thread once the snapshot is complete. */
    private final Runnable afterSnapshotComplete;
    /** Run on the writer's thread once the snapshot holds this many rows (0: never). */
    private int hookAtRow;
    private Runnable rowHook;
    /** Null unless recording the log: then every append, a copy each, in order. */
    private final List<List<LogItem>> appends;
    private volatile LogOffset latest = LogOffset.LAST_BEFORE_REAL_OFFSETS;
    private long version;
    private int signals;
    private int snapshotRows;
    private SnapshotInfo completed;

    InMemorySignalStorage(String handle) {
        this(handle, null, null);
    }

    private InMemorySignalStorage(String handle, Runnable afterSnapshotComplete, List<List<LogItem>> appends) {
        this.handle = handle;
        this.afterSnapshotComplete = afterSnapshotComplete;
        this.appends = appends;
    }

    /** Takes snapshot rows and the snapshot's completion; {@code afterComplete} runs in {@link #completeSnapshot}. */
    static InMemorySignalStorage recordingSnapshot(String handle, Runnable afterComplete) {
        return new InMemorySignalStorage(handle, afterComplete, null);
    }

    /**
     * As {@link #recordingSnapshot}, running {@code hook} on the writer's thread when the snapshot's
     * {@code row}-th row (counting its end message) is appended.
     */
    static InMemorySignalStorage recordingSnapshotWithRowHook(String handle, int row, Runnable hook) {
        InMemorySignalStorage s = new InMemorySignalStorage(handle, () -> { }, null);
        s.hookAtRow = row;
        s.rowHook = hook;
        return s;
    }

    /** Takes log appends, recording each, and reports the last appended offset as the latest. */
    static InMemorySignalStorage recordingLog(String handle) {
        return new InMemorySignalStorage(handle, null, new CopyOnWriteArrayList<>());
    }

    /** The appends so far, in order (only when recording the log). */
    List<List<LogItem>> appends() {
        if (appends == null) throw new UnsupportedOperationException();
        return appends;
    }

    /** What a writer publishing snapshot rows or log items does to the version. */
    synchronized void publish() {
        version++;
        notifyAll();
    }

    /** How many times {@link #signalReaders()} was called. */
    synchronized int signals() {
        return signals;
    }

    @Override
    public String handle() {
        return handle;
    }

    @Override
    public synchronized long changeVersion() {
        return version;
    }

    private int waiting;

    @Override
    public synchronized int readersWaiting() {
        return waiting;
    }

    @Override
    public synchronized boolean awaitChange(long seenVersion, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (version == seenVersion) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            waiting++;
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } finally {
                waiting--;
            }
        }
        return true;
    }

    @Override
    public synchronized void signalReaders() {
        signals++;
        version++;
        notifyAll();
    }

    @Override
    public void appendSnapshotRow(byte[] json, int off, int len) {
        if (afterSnapshotComplete == null) throw new UnsupportedOperationException();
        int rows;
        synchronized (this) {
            rows = ++snapshotRows;
        }
        publish();
        if (rowHook != null && rows == hookAtRow) rowHook.run();
    }

    @Override
    public void completeSnapshot(SnapshotInfo info) {
        if (afterSnapshotComplete == null) throw new UnsupportedOperationException();
        synchronized (this) {
            completed = info;
        }
        publish();
        afterSnapshotComplete.run();
    }

    @Override
    public synchronized SnapshotState snapshotState() {
        if (afterSnapshotComplete == null) throw new UnsupportedOperationException();
        return new SnapshotState(snapshotRows == 0 ? 0 : 1, completed != null, Optional.ofNullable(completed));
    }

    /** Snapshot rows stored so far, the {@code snapshot-end} message included. */
    synchronized int snapshotRows() {
        return snapshotRows;
    }

    @Override
    public ItemCursor readSnapshotChunk(int k) {
        throw new UnsupportedOperationException();
    }

    @Override
    public LogOffset appendLog(List<LogItem> items) {
        if (appends == null) throw new UnsupportedOperationException();
        appends.add(List.copyOf(items));
        latest = items.getLast().offset();
        return latest;
    }

    @Override
    public LogOffset flush() {
        throw new UnsupportedOperationException();
    }

    @Override
    public LogOffset latestOffset() {
        if (appends == null) throw new UnsupportedOperationException();
        return latest;
    }

    @Override
    public LogOffset durableOffset() {
        throw new UnsupportedOperationException();
    }

    @Override
    public LogOffset chunkEnd(LogOffset offset) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<LogOffset> chunkBoundaries() {
        throw new UnsupportedOperationException();
    }

    @Override
    public ItemCursor readLog(LogOffset after, LogOffset upTo) {
        throw new UnsupportedOperationException();
    }
}
