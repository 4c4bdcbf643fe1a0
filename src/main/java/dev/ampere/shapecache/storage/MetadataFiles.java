package dev.ampere.shapecache.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Encoding of {@code shape.meta}, the one small per-shape metadata file, written once when the snapshot
 * completes: the caller's definition blob, the Postgres snapshot and every chunk's length. It is a plain file
 * rather than a Chronicle entry: written once and read once at recovery, while a Chronicle queue per blob would
 * cost two mapped files and milliseconds to open. Layout: {@code magic, format version, payload, CRC32C}, so a
 * torn or foreign file is detected and the shape deleted instead of served wrong.
 *
 * <p>Stateless; thread-safe.
 */
final class MetadataFiles {
    /** Bump when the on-disk format of any shape file changes: older shapes are then deleted at recovery. */
    static final int FORMAT_VERSION = 1;
    private static final int MAGIC = 0x414d5053; // "AMPS"

    private MetadataFiles() {
    }

    /** The decoded file: definition, snapshot, and the byte length of every chunk (for verification). */
    record ShapeMeta(byte[] definition, SnapshotInfo info, long[] chunkLengths) {
    }

    static byte[] encode(byte[] definition, SnapshotInfo info, long[] chunkLengths) {
        long[] xip = info.xipList();
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + definition.length + 16 + 4 + 8 * xip.length + 4
                + 8 * chunkLengths.length + 8);
        b.putInt(MAGIC).putInt(FORMAT_VERSION).putInt(definition.length).put(definition);
        b.putLong(info.xmin()).putLong(info.xmax());
        b.putInt(xip.length);
        for (long x : xip) b.putLong(x);
        b.putInt(chunkLengths.length);
        for (long l : chunkLengths) b.putLong(l);
        return seal(b);
    }

    static ShapeMeta decode(byte[] file) {
        try {
            ByteBuffer b = open(file);
            int defLength = b.getInt();
            if (defLength < 0 || defLength > b.remaining()) throw new StorageCorruptException("bad definition length");
            byte[] definition = new byte[defLength];
            b.get(definition);
            long xmin = b.getLong();
            long xmax = b.getLong();
            long[] xip = new long[checkedCount(b.getInt(), b)];
            for (int i = 0; i < xip.length; i++) xip[i] = b.getLong();
            long[] lengths = new long[checkedCount(b.getInt(), b)];
            for (int i = 0; i < lengths.length; i++) lengths[i] = b.getLong();
            if (b.hasRemaining() || lengths.length == 0) throw new StorageCorruptException("bad shape meta");
            return new ShapeMeta(definition, new SnapshotInfo(xmin, xmax, xip), lengths);
        } catch (java.nio.BufferUnderflowException e) {
            throw new StorageCorruptException("truncated shape meta", e);
        }
    }

    static Optional<byte[]> readIfExists(Path file) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private static int checkedCount(int n, ByteBuffer b) {
        if (n < 0 || (long) n * 8 > b.remaining()) throw new StorageCorruptException("bad count " + n);
        return n;
    }

    private static byte[] seal(ByteBuffer b) {
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putLong(crc.getValue());
        return b.array();
    }

    /** Checks size, CRC, magic and version; returns a buffer positioned after the version, limited before the CRC. */
    private static ByteBuffer open(byte[] file) {
        if (file.length < 16) throw new StorageCorruptException("file too short: " + file.length);
        CRC32C crc = new CRC32C();
        crc.update(file, 0, file.length - 8);
        ByteBuffer b = ByteBuffer.wrap(file);
        if (b.getLong(file.length - 8) != crc.getValue()) throw new StorageCorruptException("checksum mismatch");
        if (b.getInt() != MAGIC) throw new StorageCorruptException("bad magic");
        int version = b.getInt();
        if (version != FORMAT_VERSION) throw new StorageCorruptException("unsupported format version " + version);
        return b.limit(file.length - 8);
    }
}
