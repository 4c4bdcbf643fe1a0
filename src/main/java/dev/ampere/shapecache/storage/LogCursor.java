package dev.ampere.shapecache.storage;

import dev.ampere.changes.LogOffset;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Reads a range of a shape's main log from a Chronicle tailer positioned at the first wanted item, up to an
 * inclusive end offset and never past the index that was published when the read began. Each item's JSON is
 * copied once from the mapped file into a reused buffer.
 *
 * <p>Not thread-safe: one cursor per reading thread. Holds a pool lease until closed.
 */
final class LogCursor implements ItemCursor {
    static final ItemCursor EMPTY = new ItemCursor() {
        @Override
        public Step advance() {
            return Step.END;
        }

        @Override
        public byte[] json() {
            return new byte[0];
        }

        @Override
        public int jsonLength() {
            return 0;
        }

        @Override
        public LogOffset offset() {
            throw new IllegalStateException("no current item");
        }

        @Override
        public void close() {
        }
    };

    private final QueuePool.Lease lease;
    private final ExcerptTailer tailer;
    private final long lastIndex;
    private final LogOffset end;
    private final java.nio.file.Path overflowDir;
    private long nextIndex;
    private byte[] item = new byte[1024];
    private int itemLength;
    private LogOffset offset;
    private boolean closed;

    LogCursor(QueuePool.Lease lease, ExcerptTailer tailer, long startIndex, long lastIndex, LogOffset end,
              java.nio.file.Path overflowDir) {
        this.overflowDir = overflowDir;
        this.lease = lease;
        this.tailer = tailer;
        this.nextIndex = startIndex;
        this.lastIndex = lastIndex;
        this.end = end;
    }

    @Override
    public Step advance() {
        if (closed || nextIndex > lastIndex) return Step.END;
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) throw new StorageCorruptException("published log item " + nextIndex + " missing");
            Bytes<?> b = dc.wire().bytes();
            LogRecord.Header h = LogRecord.readHeader(b);
            LogOffset o = h.offset();
            if (o.isAfter(end)) {
                nextIndex = lastIndex + 1;
                return Step.END;
            }
            LogRecord.skipKey(b);
            int len = b.readInt();
            if (h.overflow()) {
                item = OverflowFiles.read(overflowDir, o, len, item);
            } else {
                if (len < 0 || len > b.readRemaining()) throw new StorageCorruptException("bad JSON length " + len);
                if (item.length < len) item = new byte[Math.max(len, item.length * 2)];
                b.read(item, 0, len);
            }
            itemLength = len;
            offset = o;
            nextIndex++;
            return Step.ITEM;
        }
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
        if (closed) return;
        closed = true;
        try {
            lease.returnTailer(tailer);
        } finally {
            lease.close();
        }
    }
}
