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
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * JSON of log items too large for a Chronicle document (rows with huge TOASTed values), one file per item named
 * by its offset under {@code <shape>/overflow/}. The file is written before the item's Chronicle record, so any
 * reader that sees the record finds the file; a crash in between leaves a file that the replay rewrites.
 *
 * <p>Threading: {@link #write} is called by the shape's log writer only; {@link #sync} by any thread (the
 * written-but-unsynced files are a concurrent queue; concurrent syncs are serialised); {@link #read} by any reader
 * (positional reads of a file that no longer changes).
 */
final class OverflowFiles {
    private final Path dir;
    private final ConcurrentLinkedQueue<Path> unsynced = new ConcurrentLinkedQueue<>();

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
            unsynced.add(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Any thread: fsyncs the files written before the call and not synced yet, and their directory. */
    synchronized void sync() throws IOException {
        if (unsynced.isEmpty()) return;
        List<Path> files = new ArrayList<>();
        for (Path f = unsynced.poll(); f != null; f = unsynced.poll()) files.add(f);
        try {
            for (Path f : files) ShapeLayout.fsync(f);
            ShapeLayout.fsyncDirectory(dir);
            ShapeLayout.fsyncDirectory(dir.getParent());
        } catch (IOException | RuntimeException e) {
            unsynced.addAll(files); // not known durable: the next sync tries them again
            throw e;
        }
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
