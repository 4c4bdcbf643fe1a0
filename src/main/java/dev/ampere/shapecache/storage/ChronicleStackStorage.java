package dev.ampere.shapecache.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link StackStorage} of one stack under {@code <storageDir>/shapes/<stackId>/}: a map of live shapes and
 * the shared, bounded pool of open Chronicle queues.
 *
 * <p>Why this split of formats ({@link ShapeLayout} has the tree): the main log - appended per transaction,
 * read from arbitrary offsets, possibly huge - lives in Chronicle Queue (mapped appends, concurrent tailers,
 * an index for seeking); the definition and snapshot metadata are one tiny write-once blob in a plain checksummed
 * file; snapshot chunks are write-once sequential files. A Chronicle queue costs ~20 KB of disk and a few ms to
 * create, so it is created only on a shape's first log append, and opened only through the LRU pool.
 *
 * <p>Threading: thread-safe; see {@link StackStorage}.
 */
public final class ChronicleStackStorage implements StackStorage {
    private static final Logger log = LoggerFactory.getLogger(ChronicleStackStorage.class);
    public static final long DEFAULT_CHUNK_BYTES_THRESHOLD = 10L * 1024 * 1024;
    /** Each open queue holds ~2 descriptors and ~3 mappings: 1,024 stays far below both process limits. */
    public static final int DEFAULT_MAX_OPEN_QUEUES = 1024;
    private static final int RECOVERY_THREADS = 16;
    /** Room a new shape must find: its first snapshot chunk and log queue. */
    static final long NEW_SHAPE_BYTES = 2L * ChronicleLogRecovery.BLOCK_SIZE;

    static {
        // Chronicle polls disk space (and logs it) for every queue it opens; with thousands of shape queues that
        // is pure overhead. Respect an explicit setting.
        if (System.getProperty("chronicle.disk.monitor.disable") == null) {
            System.setProperty("chronicle.disk.monitor.disable", "true");
        }
    }

    private final ShapeLayout layout;
    private final long chunkBytesThreshold;
    private final QueuePool pool;
    private final ConcurrentHashMap<String, ChronicleShapeStorage> shapes = new ConcurrentHashMap<>();
    private final StorageSpace space;
    private final ChronicleSync sync;
    /** Makes completed snapshots durable in groups: two syncs of the file system per batch of shapes. */
    private final SnapshotSeals seals;

    /**
     * @param storageDir          {@code ELECTRIC_STORAGE_DIR}
     * @param stackId             the stack's id (a safe directory name)
     * @param chunkBytesThreshold {@code ELECTRIC_SHAPE_CHUNK_BYTES_THRESHOLD} (default 10 MiB)
     * @param maxOpenQueues       how many shape logs may have their Chronicle queue open at once
     */
    public ChronicleStackStorage(Path storageDir, String stackId, long chunkBytesThreshold, int maxOpenQueues)
            throws IOException {
        this(storageDir, stackId, chunkBytesThreshold, maxOpenQueues, StorageSpace.Listener.NONE);
    }

    /** As above, with {@code listener} told when the storage starts and stops failing (disk full). */
    public ChronicleStackStorage(Path storageDir, String stackId, long chunkBytesThreshold, int maxOpenQueues,
                                 StorageSpace.Listener listener) throws IOException {
        this(storageDir, stackId, chunkBytesThreshold, maxOpenQueues,
                StorageSpace.of(new ShapeLayout(storageDir, stackId).stackDir(), listener));
    }

    /** As above, with the given view of the volume's space (tests switch it to "full"). */
    public ChronicleStackStorage(Path storageDir, String stackId, long chunkBytesThreshold, int maxOpenQueues,
                                 StorageSpace space) throws IOException {
        if (chunkBytesThreshold < 1) throw new IllegalArgumentException("chunk threshold must be positive");
        this.layout = new ShapeLayout(storageDir, stackId);
        this.chunkBytesThreshold = chunkBytesThreshold;
        this.pool = new QueuePool(maxOpenQueues, shape -> ChronicleLogRecovery.open(shape.logDir()));
        this.space = space;
        Files.createDirectories(layout.stackDir());
        this.sync = new ChronicleSync(layout.stackDir(), !"fsync".equals(System.getProperty("ampere.storage.sync")),
                space);
        this.seals = new SnapshotSeals(sync.fileSystem());
    }

    /** The group durability step of this stack's shapes (also each shape's {@link ShapeStorage#syncGroup}). */
    public StorageSync sync() {
        return sync;
    }

    /** Whether a group sync is one syncfs of the file system (else an fsync per shape). */
    public boolean syncsFileSystem() {
        return sync.usesSyncfs();
    }

    /** Whether the storage takes writes; the fault boundary every write goes through. */
    public StorageSpace space() {
        return space;
    }

    public ChronicleStackStorage(Path storageDir, String stackId) throws IOException {
        this(storageDir, stackId, DEFAULT_CHUNK_BYTES_THRESHOLD, DEFAULT_MAX_OPEN_QUEUES);
    }

    @Override
    public ShapeStorage create(String handle, byte[] definition) throws IOException {
        Path dir = layout.shapeDir(handle);
        if (shapes.containsKey(handle) || Files.exists(dir)) throw new FileAlreadyExistsException(dir.toString());
        // A new shape needs room for its snapshot and first log queue: refuse it (StorageFaultException) while
        // the volume is nearly full rather than start a snapshot that is bound to fail.
        space.beforeWrite(NEW_SHAPE_BYTES);
        // Nothing is written or fsynced yet: the definition is stored with the completed snapshot, and a shape
        // whose snapshot never completed is deleted at recovery anyway.
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw space.fault(e);
        }
        ChangeSignal signal = new ChangeSignal();
        ShapePath path = new ShapePath(layout, handle);
        ChronicleShapeStorage s = new ChronicleShapeStorage(handle, signal,
                SnapshotChunks.fresh(path, chunkBytesThreshold, signal, definition, seals),
                new ShapeLog(path, pool, chunkBytesThreshold, signal, true), space, sync);
        if (shapes.putIfAbsent(handle, s) != null) throw new FileAlreadyExistsException(dir.toString());
        return s;
    }

    @Override
    public Optional<ShapeStorage> get(String handle) {
        return Optional.ofNullable(shapes.get(handle));
    }

    @Override
    public void delete(String handle) throws IOException {
        ChronicleShapeStorage s = shapes.remove(handle);
        if (s != null) s.markDeleted();
        if (!ShapeLayout.isSafeHandle(handle)) return;
        Path dir = layout.shapeDir(handle);
        if (!Files.exists(dir)) return;
        // Move aside first (atomic), so a crash mid-delete leaves trash that recovery removes, never half a shape.
        Path trash = layout.trashDir(handle);
        Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
        ShapeLayout.deleteRecursively(trash);
    }

    @Override
    public void deleteAll() throws IOException {
        for (String handle : List.copyOf(shapes.keySet())) delete(handle);
        for (Path prefix : list(layout.stackDir())) {
            if (ShapeLayout.isTrash(prefix)) ShapeLayout.deleteRecursively(prefix);
            else {
                for (Path shapeDir : list(prefix)) delete(shapeDir.getFileName().toString());
                Files.deleteIfExists(prefix);
            }
        }
    }

    @Override
    public Recovery recover() throws IOException {
        List<StoredShape> found = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> deleted = java.util.Collections.synchronizedList(new ArrayList<>());
        // Recovery is file-metadata latency (one directory entry and one small file per shape), so prefix
        // directories are scanned in parallel: on a cold cache this is what turns minutes into seconds.
        try (ExecutorService workers = Executors.newFixedThreadPool(RECOVERY_THREADS)) {
            List<Future<Void>> done = new ArrayList<>();
            for (Path prefix : list(layout.stackDir())) {
                done.add(workers.submit(() -> {
                    recoverPrefix(prefix, found, deleted);
                    return null;
                }));
            }
            for (Future<Void> f : done) await(f);
        }
        return new Recovery(List.copyOf(found), List.copyOf(deleted));
    }

    private void recoverPrefix(Path prefix, List<StoredShape> found, List<String> deleted) throws IOException {
        if (ShapeLayout.isTrash(prefix)) {
            ShapeLayout.deleteRecursively(prefix);
            return;
        }
        for (Path dir : list(prefix)) {
            String handle = dir.getFileName().toString();
            if (!ShapeLayout.isSafeHandle(handle) || !layout.shapeDir(handle).equals(dir)) {
                log.warn("ignoring unexpected entry {} in shape storage", dir);
                continue;
            }
            if (shapes.containsKey(handle)) continue;
            StoredShape shape = recoverOne(handle, dir);
            if (shape != null) {
                found.add(shape);
            } else {
                delete(handle);
                deleted.add(handle);
            }
        }
    }

    private static void await(Future<Void> f) throws IOException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("recovery interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Validates one shape directory and registers it; null when it must be deleted. */
    private StoredShape recoverOne(String handle, Path dir) throws IOException {
        try {
            Optional<byte[]> meta = MetadataFiles.readIfExists(dir.resolve(ShapeLayout.SHAPE_META));
            if (meta.isEmpty()) {
                log.info("deleting shape {}: snapshot incomplete", handle);
                return null;
            }
            MetadataFiles.ShapeMeta sm = MetadataFiles.decode(meta.get());
            long[] lengths = sm.chunkLengths();
            for (int k = 0; k < lengths.length; k++) {
                if (chunkSize(ShapeLayout.chunkFile(dir, k)) != lengths[k]) {
                    throw new StorageCorruptException("snapshot chunk " + k + " missing or truncated");
                }
            }
            ChangeSignal signal = new ChangeSignal();
            ShapePath path = new ShapePath(layout, handle);
            shapes.put(handle, new ChronicleShapeStorage(handle, signal,
                    SnapshotChunks.completed(path, chunkBytesThreshold, signal, sm),
                    new ShapeLog(path, pool, chunkBytesThreshold, signal, false), space, sync));
            return new StoredShape(handle, sm.definition(), sm.info(), lengths.length);
        } catch (StorageCorruptException e) {
            log.warn("deleting shape {}: {}", handle, e.getMessage());
            return null;
        }
    }

    private static long chunkSize(Path chunk) throws IOException {
        try {
            return Files.readAttributes(chunk, java.nio.file.attribute.BasicFileAttributes.class).size();
        } catch (java.nio.file.NoSuchFileException e) {
            return -1;
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) out.add(p);
        }
        return out;
    }

    @Override
    public int openLogQueues() {
        return pool.openCount();
    }

    @Override
    public void close() {
        for (ChronicleShapeStorage s : shapes.values()) s.closeWriters();
        pool.close();
        sync.close();
    }
}
