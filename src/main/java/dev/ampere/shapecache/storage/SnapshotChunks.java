package dev.ampere.shapecache.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The snapshot region of one shape: rows appended into chunk files {@code 0.chunk, 1.chunk, ...} (virtual
 * offsets {@code 0_0, 0_1, ...}), a new chunk started after a chunk reaches the byte threshold, and the
 * completion marker {@code shape.meta}, which also carries the shape's definition.
 *
 * <p>Why plain files and not Chronicle: a snapshot chunk is written once, sequentially, and always served whole
 * from its start, so it needs no index; a plain file costs one descriptor only while it is being read or written
 * and nothing while idle. Each record is {@code [u32 length][JSON]}.
 *
 * <p>Threading: one writer thread (the shape's snapshotter) calls {@link #append}, {@link #complete}. Readers on
 * any thread read {@link #progress()} and open {@link SnapshotChunkCursor}s. Rows become visible to readers in
 * whole records when the write buffer is written to the file (every {@value #BUFFER_BYTES} bytes, at a chunk end,
 * at completion), by publishing an immutable {@link Progress} through a volatile field; readers never read past
 * the published length, so they see only fully written rows, and they never take a lock the writer needs.
 */
final class SnapshotChunks {
    static final int BUFFER_BYTES = 32 * 1024;

    /**
     * What readers may see: chunk {@code chunk} is readable up to {@code visibleLength}; chunks below it are
     * closed and complete; {@code chunkClosed} says whether {@code chunk} itself is finished; {@code info} is set
     * once the whole snapshot is complete.
     */
    record Progress(int chunk, long visibleLength, boolean chunkClosed, SnapshotInfo info) {
        boolean complete() {
            return info != null;
        }
    }

    private final ShapePath shapePath;
    private final long threshold;
    private final ChangeSignal signal;
    private volatile Progress progress;
    // Writer-only state; dropped after completion so an idle shape keeps no buffer and no definition copy.
    private Writer writer;
    private byte[] definition;
    /** Where a completed snapshot is made durable, with others (null once complete, and for recovered shapes). */
    private SnapshotSeals seals;

    private SnapshotChunks(ShapePath shapePath, long threshold, ChangeSignal signal, Progress progress, byte[] definition,
                           SnapshotSeals seals) {
        this.shapePath = shapePath;
        this.threshold = threshold;
        this.signal = signal;
        this.progress = progress;
        this.definition = definition;
        this.seals = seals;
    }

    static SnapshotChunks fresh(ShapePath shapeDir, long threshold, ChangeSignal signal, byte[] definition,
                                SnapshotSeals seals) {
        return new SnapshotChunks(shapeDir, threshold, signal, new Progress(0, 0, false, null), definition.clone(),
                seals);
    }

    static SnapshotChunks completed(ShapePath shapeDir, long threshold, ChangeSignal signal, MetadataFiles.ShapeMeta meta) {
        long[] lengths = meta.chunkLengths();
        int last = lengths.length - 1;
        return new SnapshotChunks(shapeDir, threshold, signal, new Progress(last, lengths[last], true, meta.info()),
                null, null);
    }

    Progress progress() {
        return progress;
    }

    Path shapeDir() {
        return shapePath.dir();
    }

    /** Writer only. Appends one row; starts a new chunk first if the previous row closed the current one. */
    void append(byte[] json, int off, int len) throws IOException {
        Progress p = progress;
        if (p.complete()) throw new IllegalStateException("snapshot already complete");
        if (writer == null) writer = new Writer(p.chunk);
        if (writer.closed) {
            writer = new Writer(p.chunk + 1);
            publish(new Progress(writer.chunk, 0, false, null));
        }
        writer.write(json, off, len);
        if (writer.chunkJsonBytes >= threshold) closeChunk();
    }

    /**
     * Writer only. Publishes completion, then makes the snapshot and the shape durable through {@link SnapshotSeals}:
     * the chunks closed before the last were fsynced when they closed; the last chunk, then {@code shape.meta}, then
     * the shape's directory entries are made durable in that order, in a pass shared with the other shapes completing
     * at the same time; none per row. Returns once durable. Visible is not durable: readers may serve the snapshot
     * before it is sealed, because {@code shape.meta} is what recovery trusts, and a shape whose meta never became
     * durable is deleted at recovery, so its clients refetch it; they never see a snapshot that was not whole.
     */
    void complete(SnapshotInfo info) throws IOException {
        Progress p = progress;
        if (p.complete()) throw new IllegalStateException("snapshot already complete");
        if (writer == null) writer = new Writer(p.chunk);
        if (!writer.closed) {
            writer.finish();
            publish(new Progress(writer.chunk, writer.fileLength, true, null));
        }
        writer.release();
        long[] lengths = writer.lengths();
        int last = writer.chunk;
        byte[] meta = MetadataFiles.encode(definition, info, lengths);
        SnapshotSeals sealing = seals;
        writer = null;
        definition = null;
        seals = null;
        publish(new Progress(lengths.length - 1, lengths[lengths.length - 1], true, info));
        Path shapeDir = shapePath.dir();
        sealing.seal(ShapeLayout.chunkFile(shapeDir, last), shapeDir, meta);
    }

    /** Writer only: releases an unfinished writer's file (shape deleted or storage closed). */
    void abandon() {
        if (writer != null) writer.closeQuietly();
        writer = null;
    }

    /** Closes the chunk: its last rows written and published (readers may serve it whole), then fsynced. */
    private void closeChunk() throws IOException {
        writer.finish();
        publish(new Progress(writer.chunk, writer.fileLength, true, null));
        writer.sync();
    }

    private void publish(Progress p) {
        progress = p;
        signal.bump();
    }

    /** The open chunk file of a snapshot in progress and the lengths of the chunks closed so far. */
    private final class Writer {
        final int chunk;
        final long[] closedLengths;
        final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
        FileChannel channel;
        long fileLength;
        long chunkJsonBytes;
        boolean closed;

        Writer(int chunk) {
            this.chunk = chunk;
            long[] previous = SnapshotChunks.this.writer == null ? new long[0]
                    : SnapshotChunks.this.writer.lengths();
            this.closedLengths = previous;
        }

        void write(byte[] json, int off, int len) throws IOException {
            if (channel == null) open();
            if (buffer.remaining() < 4 + len) drain();
            if (buffer.remaining() >= 4 + len) {
                buffer.putInt(len).put(json, off, len);
            } else {
                ByteBuffer header = ByteBuffer.allocate(4).putInt(0, len);
                writeFully(header);
                writeFully(ByteBuffer.wrap(json, off, len));
                publish(new Progress(chunk, fileLength, false, null));
            }
            chunkJsonBytes += len;
        }

        private void open() throws IOException {
            channel = FileChannel.open(ShapeLayout.chunkFile(shapePath.dir(), chunk), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        }

        /** Writes the buffered rows and publishes them: whole records only. */
        private void drain() throws IOException {
            if (buffer.position() == 0) return;
            buffer.flip();
            writeFully(buffer);
            buffer.clear();
            publish(new Progress(chunk, fileLength, false, null));
        }

        private void writeFully(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) fileLength += channel.write(b, fileLength);
        }

        /** Writes what is buffered: the chunk is whole (in the page cache) and takes no more rows. */
        void finish() throws IOException {
            if (channel == null) open();
            buffer.flip();
            writeFully(buffer);
            buffer.clear();
            closed = true;
        }

        /** Makes the finished chunk durable and releases its file. */
        void sync() throws IOException {
            channel.force(false);
            release();
        }

        /** Releases the chunk's file, durable or not (the last chunk is made durable when the snapshot is sealed). */
        void release() throws IOException {
            if (channel == null) return;
            channel.close();
            channel = null;
        }

        long[] lengths() {
            if (!closed) return closedLengths;
            long[] all = Arrays.copyOf(closedLengths, closedLengths.length + 1);
            all[closedLengths.length] = fileLength;
            return all;
        }

        void closeQuietly() {
            try {
                if (channel != null) channel.close();
            } catch (IOException ignored) {
                // the shape is being discarded; nothing useful to do with a close failure
            }
        }
    }
}
