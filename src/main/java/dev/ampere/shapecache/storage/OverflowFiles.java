package dev.ampere.shapecache.storage;

import dev.ampere.changes.LogOffset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON of log items too large for a Chronicle document (rows with huge TOASTed values), one file per item named
 * by its offset under {@code <shape>/overflow/}. The file is written before the item's Chronicle record, so any
 * reader that sees the record finds the file; a crash in between leaves a file that the replay rewrites.
 *
 * <p>Threading: {@link #write} and {@link #sync} are called by the shape's log writer only; {@link #read} by
 * any reader (positional reads of a file that no longer changes).
 */
final class OverflowFiles {
    private final Path dir;
    private List<Path> unsynced = List.of(); // writer only

    OverflowFiles(Path dir) {
        this.dir = dir;
    }

    private static Path file(Path dir, LogOffset offset) {
        return dir.resolve(Long.toUnsignedString(offset.tx()) + "_" + offset.op() + ".json");
    }

    void write(LogOffset offset, byte[] json) {
        try {
            Files.createDirectories(dir);
            Path f = file(dir, offset);
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(json);
                while (b.hasRemaining()) ch.write(b);
            }
            if (unsynced.isEmpty()) unsynced = new ArrayList<>();
            unsynced.add(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writer only: fsyncs the files written since the last sync, and their directory. */
    void sync() throws IOException {
        if (unsynced.isEmpty()) return;
        for (Path f : unsynced) ShapeLayout.fsync(f);
        ShapeLayout.fsyncDirectory(dir);
        ShapeLayout.fsyncDirectory(dir.getParent());
        unsynced = List.of();
    }

    /** Reads an item's JSON into {@code into} (grown if needed) and returns the buffer holding it. */
    static byte[] read(Path dir, LogOffset offset, int length, byte[] into) {
        byte[] buf = into.length >= length ? into : new byte[length];
        try (FileChannel ch = FileChannel.open(file(dir, offset), StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.wrap(buf, 0, length);
            long pos = 0;
            while (b.hasRemaining()) {
                int n = ch.read(b, pos);
                if (n < 0) throw new StorageCorruptException("overflow file of " + offset + " is truncated");
                pos += n;
            }
            return buf;
        } catch (NoSuchFileException e) {
            throw new StorageCorruptException("overflow file of " + offset + " is missing", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
