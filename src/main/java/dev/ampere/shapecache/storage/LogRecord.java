package dev.ampere.shapecache.storage;

import dev.ampere.changes.LogOffset;
import java.nio.charset.StandardCharsets;
import net.openhft.chronicle.bytes.Bytes;

/**
 * The layout of one main-log item inside a Chronicle document:
 * <pre>
 *   i64 tx, i64 op                      the item's LogOffset
 *   i64 previousBoundary                Chronicle index of the last chunk-boundary item before this one, or -1
 *   i64 chunkBytes                      JSON bytes in the current chunk including this item (before any reset)
 *   u8  flags                           bit 0: a chunk boundary falls at this item; bit 1: JSON in overflow file
 *   u8  operation                       {@link Operation} code
 *   u32 keyLength, key (UTF-8)
 *   u32 jsonLength, json                the message exactly as served (json omitted when in an overflow file)
 * </pre>
 * Storing the boundary flag and running byte count in the item itself keeps chunking crash-consistent (an item
 * and its boundary are written in one document), and the back-pointer chain lets a reopened log find all its
 * boundaries from the last item alone, one hop per chunk, without scanning the log or keeping a side index.
 *
 * <p>Stateless; thread-safe.
 */
final class LogRecord {
    static final int FLAG_BOUNDARY = 1;
    static final int FLAG_OVERFLOW = 2;
    /** Bytes before the key: the fixed header. */
    static final int HEADER_BYTES = 8 * 4 + 2 + 4;

    private LogRecord() {
    }

    static int inlineSize(byte[] key, byte[] json) {
        return HEADER_BYTES + key.length + 4 + json.length;
    }

    static void write(Bytes<?> out, LogItem item, byte[] key, long previousBoundary, long chunkBytes,
                      boolean boundary, boolean overflow) {
        out.writeLong(item.offset().tx());
        out.writeLong(item.offset().op());
        out.writeLong(previousBoundary);
        out.writeLong(chunkBytes);
        out.writeByte((byte) ((boundary ? FLAG_BOUNDARY : 0) | (overflow ? FLAG_OVERFLOW : 0)));
        out.writeByte(item.operation().code());
        out.writeInt(key.length);
        out.write(key);
        out.writeInt(item.json().length);
        if (!overflow) out.write(item.json());
    }

    /** The fixed header of a stored item; the reader is left positioned at the key length. */
    record Header(long tx, long op, long previousBoundary, long chunkBytes, boolean boundary, boolean overflow,
                  Operation operation) {
        LogOffset offset() {
            return LogOffset.of(tx, op);
        }
    }

    static Header readHeader(Bytes<?> in) {
        if (in.readRemaining() < HEADER_BYTES) throw new StorageCorruptException("short log record");
        long tx = in.readLong();
        long op = in.readLong();
        long prev = in.readLong();
        long chunkBytes = in.readLong();
        int flags = in.readUnsignedByte();
        Operation operation = Operation.fromCode(in.readByte());
        return new Header(tx, op, prev, chunkBytes, (flags & FLAG_BOUNDARY) != 0, (flags & FLAG_OVERFLOW) != 0,
                operation);
    }

    /** Compares the stored offset with {@code (tx, op)} without allocating; reader positioned at record start. */
    static int compareOffset(Bytes<?> in, LogOffset o) {
        long start = in.readPosition();
        long tx = in.readLong(start);
        long op = in.readLong(start + 8);
        int c = Long.compareUnsigned(tx, o.tx());
        return c != 0 ? c : Long.compare(op, o.op());
    }

    static String readKey(Bytes<?> in) {
        int len = in.readInt();
        byte[] key = new byte[len];
        in.read(key);
        return new String(key, StandardCharsets.UTF_8);
    }

    static void skipKey(Bytes<?> in) {
        int len = in.readInt();
        in.readSkip(len);
    }
}
