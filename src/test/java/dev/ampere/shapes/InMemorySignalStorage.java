package dev.ampere.shapes;

import dev.ampere.changes.LogOffset;
import dev.ampere.shapecache.storage.ItemCursor;
import dev.ampere.shapecache.storage.LogItem;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.SnapshotInfo;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ShapeStorage} that only implements change notification (version, wait, signal), for {@link ShapeState}'s
 * tests: every data method throws, except the snapshot writer's when made with {@link #recordingSnapshot} (it then
 * counts the rows and records the completion, for the Snapshotter's tests). {@link #publish()} stands for storage
 * publishing data.
 */
final class InMemorySignalStorage implements ShapeStorage {
    private final String handle;
    /** Null unless recording the snapshot: then run on the writer's thread once the snapshot is complete. */
    private final Runnable afterSnapshotComplete;
    private long version;
    private int signals;
    private int snapshotRows;
    private SnapshotInfo completed;

    InMemorySignalStorage(String handle) {
        this(handle, null);
    }

    private InMemorySignalStorage(String handle, Runnable afterSnapshotComplete) {
        this.handle = handle;
        this.afterSnapshotComplete = afterSnapshotComplete;
    }

    /** Takes snapshot rows and the snapshot's completion; {@code afterComplete} runs in {@link #completeSnapshot}. */
    static InMemorySignalStorage recordingSnapshot(String handle, Runnable afterComplete) {
        return new InMemorySignalStorage(handle, afterComplete);
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
        synchronized (this) {
            snapshotRows++;
        }
        publish();
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
        throw new UnsupportedOperationException();
    }

    @Override
    public LogOffset flush() {
        throw new UnsupportedOperationException();
    }

    @Override
    public LogOffset latestOffset() {
        throw new UnsupportedOperationException();
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
