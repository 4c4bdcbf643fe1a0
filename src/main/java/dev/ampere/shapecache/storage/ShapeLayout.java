package dev.ampere.shapecache.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.regex.Pattern;

/**
 * Where a shape's files live: {@code <storageDir>/shapes/<stackId>/<prefix>/<handle>/} where {@code prefix} is
 * three hex digits of the handle's hash, so 100k shapes spread over 4,096 directories of ~25 entries rather than
 * one directory of 100k. Inside a shape directory:
 * <pre>
 *   &lt;k&gt;.chunk         snapshot chunk k: records [u32 length][JSON]
 *   shape.meta        written when the snapshot completes: the caller's definition blob, xmin/xmax/xip and the
 *                     chunk lengths, with magic, format version and CRC; its presence means "complete"
 *   log/              the Chronicle queue of the main log, created on the first log append
 *   overflow/&lt;tx&gt;_&lt;op&gt;.json  JSON of log items too large for a Chronicle document (rare)
 *   &lt;name&gt;.copy       a stored copy of an immutable body (a compressed chunk, {@link StoredCopy}); written to
 *                     {@code <name>.copy.tmp} first and renamed when whole
 * </pre>
 * Also owns the small file-system chores every store needs: durable writes, fsync of files and directories,
 * recursive delete.
 *
 * <p>Immutable; all methods are thread-safe.
 */
final class ShapeLayout {
    static final String SHAPE_META = "shape.meta";
    static final String LOG_DIR = "log";
    static final String OVERFLOW_DIR = "overflow";
    /** Handles become directory names, and come from HTTP requests: allow nothing that could escape the tree. */
    private static final Pattern SAFE_HANDLE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,199}");
    private static final String TRASH_PREFIX = ".deleting-";

    private final Path stackDir;

    ShapeLayout(Path storageDir, String stackId) {
        if (!SAFE_HANDLE.matcher(stackId).matches()) throw new IllegalArgumentException("unsafe stack id: " + stackId);
        this.stackDir = storageDir.resolve("shapes").resolve(stackId);
    }

    Path stackDir() {
        return stackDir;
    }

    static boolean isSafeHandle(String handle) {
        return SAFE_HANDLE.matcher(handle).matches() && !handle.contains("..");
    }

    Path shapeDir(String handle) {
        if (!isSafeHandle(handle)) throw new IllegalArgumentException("unsafe shape handle: " + handle);
        return stackDir.resolve(prefix(handle)).resolve(handle);
    }

    static String prefix(String handle) {
        String hex = Integer.toHexString(handle.hashCode() & 0xfff);
        return "000".substring(hex.length()) + hex;
    }

    static final String TEMP_SUFFIX = ".tmp";
    private static final Pattern SAFE_COPY_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}");

    /** A stored copy's file; the name comes from the HTTP layer, checked like a handle. */
    static Path copyFile(Path shapeDir, String name) {
        if (!SAFE_COPY_NAME.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("unsafe copy name: " + name);
        }
        return shapeDir.resolve(name + ".copy");
    }

    static Path chunkFile(Path shapeDir, int chunk) {
        return shapeDir.resolve(chunk + ".chunk");
    }

    /** A name for moving a shape aside before deleting it, so a crash mid-delete never leaves half a shape. */
    Path trashDir(String handle) {
        return stackDir.resolve(TRASH_PREFIX + handle + "-" + System.nanoTime());
    }

    static boolean isTrash(Path p) {
        return p.getFileName().toString().startsWith(TRASH_PREFIX);
    }

    /**
     * Writes and fsyncs a small checksummed file. No temp-and-rename: a torn write fails its checksum and the
     * shape is deleted at recovery, which is the same outcome as the file never having been written.
     */
    static void writeDurably(Path target, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            var buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
    }

    static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Makes created or renamed directory entries durable (Linux allows fsync on a directory descriptor). */
    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) return;
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
