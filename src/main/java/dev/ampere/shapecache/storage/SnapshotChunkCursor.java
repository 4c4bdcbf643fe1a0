package dev.ampere.shapecache.storage;

import dev.ampere.changes.LogOffset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;

/**
 * Reads the rows of one snapshot chunk, possibly while the snapshotter is still writing it: it reads only up to
 * the length the writer has published, answers {@link Step#NOT_YET} at that point until the writer publishes more
 * or closes the chunk, and {@link Step#END} once the chunk is closed and fully read (or does not exist in a
 * completed snapshot).
 *
 * <p>Reads go through a private window buffer with positional reads, so many cursors can read one file while it
 * grows, without locks. Not thread-safe: one cursor per reading thread.
 */
final class SnapshotChunkCursor implements ItemCursor {
    private static final int WINDOW_BYTES = 64 * 1024;

    private final SnapshotChunks chunks;
    private final int chunk;
    private final LogOffset offset;
    private FileChannel channel;
    private final byte[] window = new byte[WINDOW_BYTES];
    private long windowStart;
    private int windowLength;
    private long position;
    /** A closed chunk's file length, read once (its length is final); -1 until then. */
    private long closedLength = -1;
    private byte[] item = new byte[1024];
    private int itemLength;

    SnapshotChunkCursor(SnapshotChunks chunks, int chunk) {
        this.chunks = chunks;
        this.chunk = chunk;
        this.offset = LogOffset.snapshotChunk(chunk);
    }

    @Override
    public Step advance() throws IOException {
        SnapshotChunks.Progress p = chunks.progress();
        long limit;
        boolean closed;
        if (chunk < p.chunk()) {
            limit = -1; // closed chunk: its file length is final
            closed = true;
        } else if (chunk == p.chunk()) {
            limit = p.visibleLength();
            closed = p.chunkClosed();
        } else {
            return p.complete() ? Step.END : Step.NOT_YET;
        }
        if (limit != 0 && channel == null && !open()) return closed ? Step.END : Step.NOT_YET;
        if (limit < 0) {
            if (closedLength < 0) closedLength = channel.size(); // once, not a system call per row
            limit = closedLength;
        }
        if (position >= limit) return closed ? Step.END : Step.NOT_YET;
        if (limit - position < 4) throw new StorageCorruptException("torn record in snapshot chunk " + chunk);
        int len = readLength(limit);
        if (len < 0 || position + 4 + len > limit) {
            throw new StorageCorruptException("bad record length " + len + " in snapshot chunk " + chunk);
        }
        readItem(position + 4, len, limit);
        position += 4 + len;
        return Step.ITEM;
    }

    private boolean open() throws IOException {
        try {
            channel = FileChannel.open(ShapeLayout.chunkFile(chunks.shapeDir(), chunk), StandardOpenOption.READ);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private int readLength(long limit) throws IOException {
        ensureWindow(position, 4, limit);
        int i = (int) (position - windowStart);
        return ((window[i] & 0xff) << 24) | ((window[i + 1] & 0xff) << 16) | ((window[i + 2] & 0xff) << 8)
                | (window[i + 3] & 0xff);
    }

    private void readItem(long at, int len, long limit) throws IOException {
        if (item.length < len) item = new byte[Math.max(len, item.length * 2)];
        itemLength = len;
        if (len > WINDOW_BYTES) {
            ByteBuffer dst = ByteBuffer.wrap(item, 0, len);
            long pos = at;
            while (dst.hasRemaining()) {
                int n = channel.read(dst, pos);
                if (n < 0) throw new StorageCorruptException("snapshot chunk " + chunk + " shorter than published");
                pos += n;
            }
            return;
        }
        ensureWindow(at, len, limit);
        System.arraycopy(window, (int) (at - windowStart), item, 0, len);
    }

    /** Makes {@code [at, at+n)} available in the window, reading at most up to {@code limit}. */
    private void ensureWindow(long at, int n, long limit) throws IOException {
        if (at >= windowStart && at + n <= windowStart + windowLength) return;
        int want = (int) Math.min(WINDOW_BYTES, limit - at);
        ByteBuffer dst = ByteBuffer.wrap(window, 0, want);
        long pos = at;
        while (dst.position() < n) {
            int r = channel.read(dst, pos);
            if (r < 0) throw new StorageCorruptException("snapshot chunk " + chunk + " shorter than published");
            pos += r;
        }
        windowStart = at;
        windowLength = dst.position();
    }

    @Override
    public byte[] json() {
        return item;
    }

    @Override
    public int jsonLength() {
        return itemLength;
    }

    @Override
    public LogOffset offset() {
        return offset;
    }

    @Override
    public void close() {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only descriptor; nothing is lost
        }
    }
}
