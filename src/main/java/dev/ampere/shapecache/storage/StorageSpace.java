package dev.ampere.shapecache.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fault boundary of a stack's shape storage: whether it can take writes, checked before they happen, and the
 * naming of the faults raised while they happen.
 *
 * <p>Why a check before writing: the shape logs are memory-mapped Chronicle queues, and a store into a mapped page
 * the file system cannot back (disk full) is a SIGBUS, which the JVM turns into an {@link InternalError}
 * ("a fault occurred in an unsafe memory access") in the middle of a record. So writers reserve their bytes here
 * first and are refused while usable space is below a reserve (1/32 of the volume, between 256 KiB and 64 MiB).
 * A probe ({@code statvfs}) is cheap but not free, so a probe's surplus is handed out as a byte budget that lasts
 * at most a second; other writers on the same volume are what the reserve is for, and a fault that still gets
 * through is classified by {@link #fault} all the same.
 *
 * <p>An episode starts with the first refused or failed write: {@link Listener#failing} is told once (one log
 * line, the health endpoint turns degraded). It ends when a probe finds twice the reserve free again (a fault of
 * space), or when a write succeeds after a retry (any other I/O fault); {@link Listener#recovered} is told once.
 *
 * <p>Threading: thread-safe, shared by every writer of the stack (consumers, snapshotters, the shape cache).
 * Listener calls happen on the writer's thread that starts or ends the episode, at most one at a time.
 */
public final class StorageSpace {
    /** Usable bytes of the storage volume. */
    @FunctionalInterface
    public interface Probe {
        long usableBytes() throws IOException;
    }

    /** Told when an episode starts and ends. */
    public interface Listener {
        void failing(String reason);

        void recovered();

        Listener NONE = new Listener() {
            @Override
            public void failing(String reason) {
            }

            @Override
            public void recovered() {
            }
        };
    }

    static final long MIN_RESERVE = 256 * 1024;
    static final long MAX_RESERVE = 64L * 1024 * 1024;
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long RETRY_POLL_MILLIS = 50;

    private final Probe probe;
    private final long reserve;
    private final String where;
    private final Listener listener;
    private final AtomicLong budget = new AtomicLong();
    private volatile long budgetExpires = System.nanoTime();
    private volatile String fault;
    private volatile boolean spaceFault;
    private volatile long lastRecheck;

    public StorageSpace(Probe probe, long reserveBytes, String where, Listener listener) {
        this.probe = probe;
        this.reserve = reserveBytes;
        this.where = where;
        this.listener = listener;
    }

    /** The space of the volume holding {@code dir}, with the reserve scaled to the volume's size. */
    public static StorageSpace of(Path dir, Listener listener) throws IOException {
        Files.createDirectories(dir);
        FileStore store = Files.getFileStore(dir);
        long reserve = Math.clamp(store.getTotalSpace() / 32, MIN_RESERVE, MAX_RESERVE);
        return new StorageSpace(store::getUsableSpace, reserve, dir.toString(), listener);
    }

    /** Why the storage cannot take writes, while it cannot (rechecked at most every 100 ms). */
    public Optional<String> fault() {
        if (fault != null) recheck();
        return Optional.ofNullable(fault);
    }

    long reserveBytes() {
        return reserve;
    }

    /**
     * Before writing about {@code bytes}: returns when they fit, throws {@link StorageFaultException} when the
     * volume is (nearly) full or an episode is going on and the space has not come back.
     */
    void beforeWrite(long bytes) {
        String f = fault;
        // While space is short, only a recheck that finds it back lets writes through; after another fault, the
        // next write is the test (see written()).
        if (f != null && spaceFault && !recheck()) throw new StorageFaultException(fault != null ? fault : f, null);
        if (System.nanoTime() - budgetExpires < 0 && budget.addAndGet(-bytes) >= 0) return;
        probeFor(bytes);
    }

    private synchronized void probeFor(long bytes) {
        long usable = usable();
        if (usable - bytes < reserve) {
            String reason = noSpace(usable);
            failing(reason, true);
            throw new StorageFaultException(reason, null);
        }
        budget.set((usable - reserve - bytes) / 2);
        budgetExpires = System.nanoTime() + BUDGET_NANOS;
    }

    /** A write went through: ends an episode of a fault other than space (space ends by itself, see above). */
    void written() {
        if (fault != null && !spaceFault) recovered();
    }

    /**
     * Classifies a failure raised while writing. A storage fault (an {@link InternalError} from a mapped write, an
     * {@link IOException} anywhere in the causes) starts or continues the episode and comes back as a
     * {@link StorageFaultException}; anything else comes back as it was (wrapped if checked).
     */
    RuntimeException fault(Throwable t) {
        if (t instanceof StorageFaultException s) return s;
        if (!isStorageFault(t)) {
            if (t instanceof RuntimeException r) return r;
            if (t instanceof Error e) throw e;
            return new IllegalStateException(t);
        }
        long usable = usableOrZero();
        boolean space = usable < reserve * 2 || mentionsNoSpace(t);
        String reason = space ? noSpace(usable) : "a storage write failed under " + where + ": " + firstLine(t);
        failing(reason, space);
        return new StorageFaultException(reason, t);
    }

    /**
     * Waits up to {@code timeout} for the storage to be worth a retry; true when it is. For a writer holding
     * what it could not store.
     */
    boolean awaitWritable(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (fault == null || recheck()) return true;
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            Thread.sleep(Math.min(RETRY_POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(left) + 1));
        }
    }

    static boolean isStorageFault(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InternalError || c instanceof IOException || c instanceof UncheckedIOException) {
                return true;
            }
            if (c.getCause() == c) break;
        }
        return false;
    }

    private static boolean mentionsNoSpace(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && (m.contains("No space left") || m.contains("Disk quota exceeded"))) return true;
            if (c.getCause() == c) break;
        }
        return false;
    }

    /** True when a retry is worth it; ends a space episode once twice the reserve is free. Rate-limited. */
    private boolean recheck() {
        long now = System.nanoTime();
        if (now - lastRecheck < RECHECK_NANOS) return false;
        lastRecheck = now;
        long usable = usableOrZero();
        if (usable < reserve * 2) return false;
        if (spaceFault) recovered();
        return true;
    }

    private synchronized void failing(String reason, boolean space) {
        budget.set(0);
        budgetExpires = System.nanoTime();
        boolean started = fault == null;
        fault = reason;
        spaceFault = space;
        lastRecheck = System.nanoTime();
        if (started) listener.failing(reason);
    }

    private synchronized void recovered() {
        if (fault == null) return;
        fault = null;
        spaceFault = false;
        listener.recovered();
    }

    private long usable() {
        try {
            return probe.usableBytes();
        } catch (IOException e) {
            failing("the storage volume under " + where + " cannot be read: " + firstLine(e), false);
            throw new StorageFaultException(fault, e);
        }
    }

    private long usableOrZero() {
        try {
            return probe.usableBytes();
        } catch (IOException e) {
            return 0;
        }
    }

    private String noSpace(long usable) {
        return "no space left on device under " + where + " (" + usable / 1024 + " KiB usable, "
                + reserve / 1024 + " KiB kept in reserve)";
    }

    private static String firstLine(Throwable t) {
        String m = t.getMessage();
        if (m == null) return t.getClass().getSimpleName();
        return m.lines().findFirst().orElse(m);
    }
}
