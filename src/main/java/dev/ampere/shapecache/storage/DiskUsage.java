package dev.ampere.shapecache.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The bytes of the files under a directory (their lengths, as {@code du --apparent-size} counts them), for the
 * metrics and the status page. Files that vanish while it walks (a shape deleted meanwhile) are skipped.
 *
 * <p>Stateless; thread-safe.
 */
public final class DiskUsage {
    private DiskUsage() {}

    /** The sum of file lengths under {@code dir}; 0 when it does not exist. */
    public static long bytesUnder(Path dir) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) total[0] += attrs.size();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            return total[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return total[0];
    }
}
