package dev.ampere.bench.storage;

import dev.ampere.changes.LogOffset;
import dev.ampere.shapecache.storage.LogItem;
import dev.ampere.shapecache.storage.Operation;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Shared data for the storage benchmarks: realistic ~300-byte change messages, transactions of them, and a way to
 * evict a directory's files from the page cache (posix_fadvise DONTNEED on each file, which touches only those
 * files, unlike dropping the whole machine's caches on a shared box).
 *
 * <p>Stateless; thread-safe.
 */
final class StorageFixtures {
    private static final int POSIX_FADV_DONTNEED = 4;

    private StorageFixtures() {
    }

    /** A change message of about 300 bytes, as the consumer would encode it. */
    static byte[] changeJson(long tx, int op) {
        String s = "{\"key\":\"\\\"public\\\".\\\"items\\\"/\\\"" + (tx % 100_000) + "\\\"\",\"value\":{\"id\":\""
                + (tx % 100_000) + "\",\"title\":\"a title that is long enough to be typical\",\"amount\":\"1234.50\","
                + "\"updated_at\":\"2026-11-24 00:00:00+00\",\"flag\":\"t\"},\"headers\":{\"operation\":\"update\","
                + "\"relation\":[\"public\",\"items\"],\"lsn\":\"" + tx + "\",\"op_position\":" + op
                + ",\"txids\":[" + (tx % 1_000_000) + "]}}";
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<LogItem> transaction(long tx, int size, byte[] json) {
        List<LogItem> items = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            items.add(new LogItem(LogOffset.of(tx, 2L * i), "\"public\".\"items\"/\"" + i + "\"", Operation.UPDATE, json));
        }
        return items;
    }

    /** Asks the kernel to drop the (clean) cached pages of every file under {@code dir}. */
    static void evictFromPageCache(Path dir) throws Throwable {
        Linker linker = Linker.nativeLinker();
        var lookup = linker.defaultLookup();
        MethodHandle open = linker.downcallHandle(lookup.find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        MethodHandle fadvise = linker.downcallHandle(lookup.find("posix_fadvise").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        MethodHandle close = linker.downcallHandle(lookup.find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        try (Arena arena = Arena.ofConfined()) {
            for (Path f : files) {
                MemorySegment path = arena.allocateFrom(f.toString());
                int fd = (int) open.invokeExact(path, 0);
                if (fd < 0) continue;
                int rc = (int) fadvise.invokeExact(fd, 0L, 0L, POSIX_FADV_DONTNEED);
                int ignored = (int) close.invokeExact(fd);
                if (rc != 0) throw new IOException("posix_fadvise failed: " + rc);
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
