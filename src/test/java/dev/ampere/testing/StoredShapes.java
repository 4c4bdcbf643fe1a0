package dev.ampere.testing;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** What a test can see of a stack's shape directories while the server is changing them. */
public final class StoredShapes {
    private StoredShapes() {
    }

    /**
     * Whether a directory named for the handle is still under {@code storageDir/shapes}. Removal renames a
     * shape's directory into {@code .deleting-*} and empties it in the background, so those are skipped, and an
     * entry that vanishes while the walk reaches it counts as gone instead of failing the walk.
     */
    public static boolean present(Path storageDir, String handle) throws IOException {
        Path root = storageDir.resolve("shapes");
        if (!Files.isDirectory(root)) return false;
        boolean[] found = {false};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String name = dir.getFileName().toString();
                if (name.equals(handle)) {
                    found[0] = true;
                    return FileVisitResult.TERMINATE;
                }
                return name.startsWith(".deleting-") ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e == null || e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                throw e;
            }
        });
        return found[0];
    }
}
