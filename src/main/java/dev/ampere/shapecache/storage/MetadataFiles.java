package dev.ampere.shapecache.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Encoding of the two small per-shape files, the definition and the snapshot metadata. Both are plain files
 * rather than Chronicle entries: they are written once, read once at recovery, and a Chronicle queue per tiny blob
 * would cost two mapped files and milliseconds to open. Each file is {@code magic, format version, payload,
 * CRC32C}, so a torn or foreign file is detected and the shape deleted instead of served wrong.
 *
 * <p>Stateless; thread-safe.
 */
final class MetadataFiles {
    /** Bump when the on-disk format of any shape file changes: older shapes are then deleted at recovery. */
    static final int FORMAT_VERSION = 1;
    private static final int DEFINITION_MAGIC = 0x414d5044; // "AMPD"
    private static final int SNAPSHOT_MAGIC = 0x414d5053; // "AMPS"

    private MetadataFiles() {
    }

    static byte[] encodeDefinition(byte[] definition) {
        ByteBuffer b = ByteBuffer.allocate(12 + definition.length + 8);
        b.putInt(DEFINITION_MAGIC).putInt(FORMAT_VERSION).putInt(definition.length).put(definition);
        return seal(b);
    }

    static byte[] decodeDefinition(byte[] file) {
        ByteBuffer b = open(file, DEFINITION_MAGIC);
        int len = b.getInt();
        if (len < 0 || len != b.remaining()) throw new StorageCorruptException("definition length mismatch");
        byte[] out = new byte[len];
        b.get(out);
        return out;
    }

    /** Snapshot metadata: the Postgres snapshot and the byte length of every chunk, for verification. */
    record SnapshotMeta(SnapshotInfo info, long[] chunkLengths) {
    }

    static byte[] encodeSnapshotMeta(SnapshotInfo info, long[] chunkLengths) {
        long[] xip = info.xipList();
        ByteBuffer b = ByteBuffer.allocate(8 + 16 + 4 + 8 * xip.length + 4 + 8 * chunkLengths.length + 8);
        b.putInt(SNAPSHOT_MAGIC).putInt(FORMAT_VERSION).putLong(info.xmin()).putLong(info.xmax());
        b.putInt(xip.length);
        for (long x : xip) b.putLong(x);
        b.putInt(chunkLengths.length);
        for (long l : chunkLengths) b.putLong(l);
        return seal(b);
    }

    static SnapshotMeta decodeSnapshotMeta(byte[] file) {
        try {
            ByteBuffer b = open(file, SNAPSHOT_MAGIC);
            long xmin = b.getLong();
            long xmax = b.getLong();
            long[] xip = new long[checkedCount(b.getInt(), b)];
            for (int i = 0; i < xip.length; i++) xip[i] = b.getLong();
            long[] lengths = new long[checkedCount(b.getInt(), b)];
            for (int i = 0; i < lengths.length; i++) lengths[i] = b.getLong();
            if (b.hasRemaining() || lengths.length == 0) throw new StorageCorruptException("bad snapshot meta");
            return new SnapshotMeta(new SnapshotInfo(xmin, xmax, xip), lengths);
        } catch (java.nio.BufferUnderflowException e) {
            throw new StorageCorruptException("truncated snapshot meta", e);
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
    private static ByteBuffer open(byte[] file, int magic) {
        if (file.length < 16) throw new StorageCorruptException("file too short: " + file.length);
        CRC32C crc = new CRC32C();
        crc.update(file, 0, file.length - 8);
        ByteBuffer b = ByteBuffer.wrap(file);
        if (b.getLong(file.length - 8) != crc.getValue()) throw new StorageCorruptException("checksum mismatch");
        if (b.getInt() != magic) throw new StorageCorruptException("bad magic");
        int version = b.getInt();
        if (version != FORMAT_VERSION) throw new StorageCorruptException("unsupported format version " + version);
        return b.limit(file.length - 8);
    }
}
