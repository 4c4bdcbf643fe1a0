package dev.ampere.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.*;

/** A second embedded Postgres on the same data directory is refused with one clear message, from any process. */
class EmbeddedPostgresServerTest {
    @TempDir
    Path dir;

    @Test
    void aSecondServerOnTheSameDataInThisProcessIsRefused() {
        try (EmbeddedPostgresServer first = EmbeddedPostgresServer.start(dir, 0)) {
            var e = assertThrows(EmbeddedPostgresServer.DataDirectoryInUse.class, () -> EmbeddedPostgresServer.start(dir, 0));
            assertTrue(e.getMessage().contains(dir + " is in use by another Ampere"), e.getMessage());
            assertEquals(0, e.getStackTrace().length, "an expected condition carries no stack trace");
        }
    }

    /** Holds the data directory's lock in a separate JVM until its standard input closes. */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = ch.lock()) {
                System.out.println("locked");
                System.out.flush();
                while (System.in.read() >= 0) { }
            }
        }
    }

    @Test
    void aSecondServerOnTheSameDataInAnotherProcessIsRefused() throws Exception {
        EmbeddedPostgresServer.start(dir, 0).close(); // an initialised data directory, as scripts/run leaves it
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(),
                dir.resolve("epg-lock").toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("locked", out.readLine());
            var e = assertThrows(EmbeddedPostgresServer.DataDirectoryInUse.class, () -> EmbeddedPostgresServer.start(dir, 0));
            assertTrue(e.getMessage().contains("AMPERE_EMBEDDED_PG_DIR"), e.getMessage());
        } finally {
            holder.getOutputStream().close();
            assertEquals(0, holder.waitFor());
        }
    }
}
