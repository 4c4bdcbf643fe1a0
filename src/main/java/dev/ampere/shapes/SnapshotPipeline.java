package dev.ampere.shapes;

import dev.ampere.shapecache.storage.ShapeStorage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;

/**
 * Carries a snapshot's COPY rows from the thread reading them to storage: the reader fills batches of raw rows, one
 * or more encoder threads turn each batch into JSON messages ({@link CopyTextRow} + {@link SnapshotRowWriter}), and
 * one writer thread appends the messages to storage in the order the rows came (docs/protocol.md §3.6).
 *
 * <p>Place in the tree: owned by the {@link Snapshotter} for the length of one snapshot; its threads are plain
 * helper threads of that process and end with it ({@link #close}). It owns a fixed set of batches, handed round
 * between the threads through bounded queues, so memory stays flat in table size: at most
 * {@code batches × BATCH_BYTES} of rows are in flight (batches are made as needed). The first rows are held back
 * ({@link #HOLD_ROWS}). A snapshot that ends within its first batch starts no thread: {@link #finish} encodes and
 * stores it on the caller's thread. Encoders start one at a time, another only when a filled
 * batch finds every encoder busy, up to {@code maxEncoders}: a small table uses one.
 *
 * <p>Threading: {@link #accept}, {@link #finish} and {@link #close} are called by the reader thread only. The
 * storage's snapshot writer is this pipeline's writer thread (or the caller, for a small snapshot) until
 * {@link #finish} returns (its join orders those
 * writes before the caller's next ones). The first stored row runs {@code onFirstRow} on the writer thread. A failure
 * on any thread stops the others and is rethrown to the reader.
 */
final class SnapshotPipeline implements AutoCloseable {
    static final int BATCH_ROWS = 1_024;
    static final int BATCH_BYTES = 256 * 1024;
    /**
     * Storage sees no row until the reader has read this many rows (or {@link #HOLD_BYTES} of them) or the end: a
     * Postgres error that early (the where clause failing on an early row) fails the snapshot with nothing stored,
     * so the client gets a 400 rather than an aborted body, as with the first fetch of the cursor this replaced.
     * The held rows fit in the batches: {@code HOLD_BYTES} spans at most three.
     */
    static final int HOLD_ROWS = 2_000;
    static final int HOLD_BYTES = 512 * 1024;

    /** Rows in, messages out; owned by whichever thread holds it (handed over by the queues). */
    private static final class Batch {
        final byte[][] rows = new byte[BATCH_ROWS][];
        int size;
        int bytes;
        final SnapshotRowWriter.Sink out = new SnapshotRowWriter.Sink(64 * 1024);
        int[] ends = new int[BATCH_ROWS];
        private boolean encoded;
        private Throwable error;

        synchronized void encoded(Throwable e) {
            encoded = true;
            error = e;
            notifyAll();
        }

        synchronized void awaitEncoded() throws Exception {
            while (!encoded) wait();
            if (error != null) throw new IllegalStateException("encoding a snapshot row failed: " + error, error);
        }

        void reset() {
            java.util.Arrays.fill(rows, 0, size, null);
            size = 0;
            bytes = 0;
            out.reset();
            synchronized (this) {
                encoded = false;
                error = null;
            }
        }
    }

    private static final Batch END = new Batch();

    /** Where the messages go, in row order: a shape's {@link ShapeStorage#appendSnapshotRow}. */
    interface RowStore {
        void append(byte[] json, int off, int len) throws Exception;
    }

    private final RowStore storage;
    private final Supplier<Encoder> encoders;
    private final int maxEncoders;
    private final Runnable onFirstRow;
    private final BlockingQueue<Batch> free = new LinkedBlockingQueue<>();
    private final BlockingQueue<Batch> toEncode;
    private final BlockingQueue<Batch> inOrder;
    private final List<Thread> threads = new ArrayList<>();
    private final String name;
    private final int maxBatches;
    private int batchesMade;
    private Thread writer;
    private volatile Throwable failure;
    private volatile boolean cancelled;
    private volatile long stored;
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
    private long rowsRead;
    private long bytesRead;
    private Batch filling;
    private int encoderCount;
    private boolean finished;

    /** Parses and encodes rows; one per encoder thread. */
    record Encoder(CopyTextRow row, SnapshotRowWriter writer) {}

    SnapshotPipeline(String name, RowStore storage, Supplier<Encoder> encoders, int maxEncoders,
                     Runnable onFirstRow) {
        this.name = name;
        this.storage = storage;
        this.encoders = encoders;
        this.maxEncoders = Math.max(1, maxEncoders);
        this.onFirstRow = onFirstRow;
        int batches = 2 * this.maxEncoders + 2;
        this.maxBatches = batches;
        // Room for every batch and the end markers of finish and close, so handing over never blocks.
        this.toEncode = new ArrayBlockingQueue<>(batches + 2 * this.maxEncoders);
        this.inOrder = new ArrayBlockingQueue<>(batches + 2);
    }

    /** Takes one COPY row (kept, not copied, until it is encoded). */
    void accept(byte[] row) throws Exception {
        if (filling == null) {
            filling = free.poll();
            if (filling == null) {
                if (batchesMade < maxBatches) {
                    batchesMade++;
                    filling = new Batch();
                } else {
                    filling = free.take();
                }
            }
            checkFailure();
        }
        filling.rows[filling.size++] = row;
        filling.bytes += row.length;
        if (filling.size == BATCH_ROWS || filling.bytes >= BATCH_BYTES) hand(filling);
        rowsRead++;
        bytesRead += row.length;
        if (released.getCount() > 0 && (rowsRead >= HOLD_ROWS || bytesRead >= HOLD_BYTES)) released.countDown();
    }

    /** Ends the stream: waits until every row is stored; returns how many were. */
    long finish() throws Exception {
        if (writer == null) return finishInline();
        if (filling != null && filling.size > 0) hand(filling);
        filling = null;
        released.countDown();
        inOrder.put(END);
        for (int i = 0; i < encoderCount; i++) toEncode.put(END);
        writer.join();
        checkFailure();
        finished = true;
        for (Thread t : threads) t.join();
        return stored;
    }

    /** A snapshot that ended within its first batch is encoded and stored on the calling thread: no threads. */
    private long finishInline() throws Exception {
        finished = true;
        Batch b = filling;
        filling = null;
        if (b == null || b.size == 0) return 0;
        encode(encoders.get(), b);
        return store(b, 0);
    }

    /**
     * The source failed after the rows accepted so far: stores them if they were released (as a cursor would have
     * stored the fetches before the failing one), drops them if they were still held; then ends.
     */
    void sourceFailed() throws Exception {
        if (released.getCount() > 0) close();
        else finish();
    }

    private void hand(Batch b) throws Exception {
        filling = null;
        checkFailure();
        if (writer == null) writer = start("write", this::writeLoop);
        if (encoderCount == 0 || (encoderCount < maxEncoders && !toEncode.isEmpty())) {
            encoderCount++;
            start("encode-" + encoderCount, this::encodeLoop);
        }
        inOrder.put(b);
        toEncode.put(b);
    }

    private void checkFailure() throws Exception {
        Throwable f = failure;
        if (f == null) return;
        if (f instanceof Exception e) throw e;
        throw new IllegalStateException("snapshot pipeline failed", f);
    }

    private interface Body {
        void run() throws Exception;
    }

    private Thread start(String role, Body body) {
        Thread t = Thread.ofPlatform().daemon().name(name + "-" + role).unstarted(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                fail(e);
            }
        });
        threads.add(t);
        t.start();
        return t;
    }

    private void fail(Throwable e) {
        synchronized (free) {
            if (failure == null) failure = e;
        }
        free.offer(END); // wakes a reader waiting for a batch
    }

    /**
     * Encodes batches until the end marker. A failed batch is marked so (the writer stops there) and ends this
     * encoder; after {@link #close} batches are only marked, so the writer never waits on one.
     */
    private void encodeLoop() throws Exception {
        Encoder enc = encoders.get();
        while (true) {
            Batch b = toEncode.take();
            if (b == END) return;
            if (cancelled) {
                b.encoded(new java.util.concurrent.CancellationException("the snapshot was abandoned"));
                continue;
            }
            try {
                encode(enc, b);
            } catch (Throwable e) {
                b.encoded(e);
                throw e;
            }
            b.encoded(null);
        }
    }

    private static void encode(Encoder enc, Batch b) {
        enc.writer().target(b.out);
        for (int i = 0; i < b.size; i++) {
            byte[] row = b.rows[i];
            enc.row().parse(row, 0, row.length);
            b.ends[i] = enc.writer().write(enc.row());
        }
    }

    /** Stores an encoded batch; {@code n} rows were stored before it. Returns the rows stored after it. */
    private long store(Batch b, long n) throws Exception {
        byte[] out = b.out.array();
        int start = 0;
        for (int i = 0; i < b.size && !cancelled; i++) {
            storage.append(out, start, b.ends[i] - start);
            start = b.ends[i];
            if (n++ == 0) onFirstRow.run();
        }
        return n;
    }

    private void writeLoop() throws Exception {
        try {
            long n = 0;
            released.await();
            while (true) {
                Batch b = inOrder.take();
                if (b == END || cancelled) return;
                b.awaitEncoded();
                n = store(b, n);
                stored = n;
                b.reset();
                free.put(b);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops every thread (after a failure or a stop) and waits for them; a no-op after {@link #finish}. Threads are
     * told by a flag and woken by end markers, never interrupted: an interrupt would close the storage's file
     * channel under the writer.
     */
    @Override
    public void close() throws InterruptedException {
        if (finished) return;
        finished = true;
        cancelled = true;
        released.countDown();
        inOrder.offer(END);
        for (int i = 0; i < encoderCount; i++) toEncode.offer(END);
        for (Thread t : threads) t.join();
    }
}
