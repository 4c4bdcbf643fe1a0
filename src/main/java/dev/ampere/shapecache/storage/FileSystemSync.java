package dev.ampere.shapecache.storage;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Linux's {@code syncfs(2)} on the file system holding a directory: one call makes every file written on that file
 * system durable, data and metadata (new files, directory entries) alike, with one journal commit, where an
 * {@code fsync} per file costs a journal commit each. Since Linux 5.8 it also reports write-back errors that happened
 * since the descriptor was opened, so the descriptor is kept open for the storage's lifetime.
 *
 * <p>Reached through the Foreign Function and Memory API ({@code --enable-native-access}, which the jar's manifest
 * and the run scripts grant). {@link #open} answers empty where it is not available (another OS, no access, no
 * {@code syncfs}), and the caller fsyncs file by file instead.
 *
 * <p>Threading: thread-safe; {@link #sync} and {@link #close} are serialised (one captured errno, and a close never
 * pulls the descriptor from under a running sync).
 */
final class FileSystemSync implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_DIRECTORY = 0200000;
    private static final int O_CLOEXEC = 02000000;

    private final MethodHandle syncfs;
    private final MethodHandle close;
    private final MemorySegment errno;
    private final VarHandle errnoValue;
    private final MethodHandle strerror;
    private final int fd;
    private volatile boolean closed;

    private FileSystemSync(MethodHandle syncfs, MethodHandle close, MethodHandle strerror, int fd) {
        this.syncfs = syncfs;
        this.close = close;
        this.strerror = strerror;
        this.fd = fd;
        StructLayout state = Linker.Option.captureStateLayout();
        this.errno = Arena.global().allocate(state);
        this.errnoValue = state.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    }

    /** A syncfs of {@code dir}'s file system, or empty where syncfs cannot be used (then fsync per file). */
    static Optional<FileSystemSync> open(Path dir) {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return Optional.empty();
        }
        try {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            Linker.Option errnoOption = Linker.Option.captureCallState("errno");
            MethodHandle syncfs = linker.downcallHandle(libc.find("syncfs").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errnoOption);
            // open(2) is variadic (a mode follows O_CREAT); without O_CREAT it is called with its two fixed arguments.
            MethodHandle open = linker.downcallHandle(libc.find("open").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                    Linker.Option.firstVariadicArg(2));
            MethodHandle close = linker.downcallHandle(libc.find("close").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            MethodHandle strerror = linker.downcallHandle(libc.find("strerror").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            int fd;
            try (Arena a = Arena.ofConfined()) {
                fd = (int) open.invokeExact(a.allocateFrom(dir.toAbsolutePath().toString()),
                        O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            }
            if (fd < 0) return Optional.empty();
            return Optional.of(new FileSystemSync(syncfs, close, strerror, fd));
        } catch (Throwable t) { // no native access, no such symbol: fall back to fsync per file
            return Optional.empty();
        }
    }

    /** Makes everything written to the file system before the call durable; throws on a write-back error. */
    synchronized void sync() throws IOException {
        if (closed) throw new IllegalStateException("storage closed");
        int rc;
        int err;
        try {
            rc = (int) syncfs.invokeExact(errno, fd);
            err = rc == 0 ? 0 : (int) errnoValue.get(errno, 0L);
        } catch (Throwable t) {
            throw new IOException("syncfs failed", t);
        }
        if (rc != 0) throw new IOException("syncfs failed: " + describe(err));
    }

    private String describe(int err) {
        try {
            MemorySegment s = (MemorySegment) strerror.invokeExact(err);
            return s.reinterpret(256).getString(0) + " (errno " + err + ")";
        } catch (Throwable t) {
            return "errno " + err;
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            int ignored = (int) close.invokeExact(fd);
        } catch (Throwable ignored) {
            // nothing left to release
        }
    }
}
