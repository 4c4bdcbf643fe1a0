package dev.ampere.shapes;

import dev.ampere.changes.LogOffset;
import dev.ampere.shapecache.storage.ItemCursor;
import dev.ampere.shapecache.storage.LogItem;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.SnapshotInfo;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ShapeStorage} that only implements change notification (version, wait, signal), for {@link ShapeState}'s
 * tests: every data method throws. {@link #publish()} stands for storage publishing data.
 */
final class InMemorySignalStorage implements ShapeStorage {
    private final String handle;
    private long version;
    private int signals;

    InMemorySignalStorage(String handle) {
        this.handle = handle;
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
        throw new UnsupportedOperationException();
    }

    @Override
    public void completeSnapshot(SnapshotInfo info) {
        throw new UnsupportedOperationException();
    }

    @Override
    public SnapshotState snapshotState() {
        throw new UnsupportedOperationException();
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
