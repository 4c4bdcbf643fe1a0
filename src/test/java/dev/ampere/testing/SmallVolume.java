package dev.ampere.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs the test mounts for itself, to fill for real; {@link #mount} answers null where the test user may
 * not mount (then the tests use the storage's fault hook instead, see StorageSpaceTest).
 */
public final class SmallVolume implements AutoCloseable {
    public final Path dir;
    private final Path filler;

    private SmallVolume(Path dir) {
        this.dir = dir;
        this.filler = dir.resolve("filler");
    }

    public static SmallVolume mount(int megabytes) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("ampere-small-volume");
        if (run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", dir.toString()) != 0) {
            Files.deleteIfExists(dir);
            return null;
        }
        return new SmallVolume(dir);
    }

    /** Writes a file until the volume refuses (no space left on device); returns the bytes written. */
    public long fill() throws IOException {
        byte[] block = new byte[64 * 1024];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
                written += block.length;
            }
        } catch (IOException e) {
            if (e.getMessage() == null || !e.getMessage().contains("No space left")) throw e;
        }
        return written;
    }

    public void free() throws IOException {
        Files.deleteIfExists(filler);
    }

    public long usable() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    @Override
    public void close() throws Exception {
        run("umount", "-l", dir.toString());
        Files.deleteIfExists(dir);
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
