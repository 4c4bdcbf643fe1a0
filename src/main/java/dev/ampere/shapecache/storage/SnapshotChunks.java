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

    private SnapshotChunks(ShapePath shapePath, long threshold, ChangeSignal signal, Progress progress, byte[] definition) {
        this.shapePath = shapePath;
        this.threshold = threshold;
        this.signal = signal;
        this.progress = progress;
        this.definition = definition;
    }

    static SnapshotChunks fresh(ShapePath shapeDir, long threshold, ChangeSignal signal, byte[] definition) {
        return new SnapshotChunks(shapeDir, threshold, signal, new Progress(0, 0, false, null), definition.clone());
    }

    static SnapshotChunks completed(ShapePath shapeDir, long threshold, ChangeSignal signal, MetadataFiles.ShapeMeta meta) {
        long[] lengths = meta.chunkLengths();
        int last = lengths.length - 1;
        return new SnapshotChunks(shapeDir, threshold, signal, new Progress(last, lengths[last], true, meta.info()),
                null);
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
     * Writer only. Makes the snapshot and the shape durable, then publishes completion: each chunk was fsynced
     * when it closed; here {@code shape.meta} is written and fsynced, then the shape's directory and its parent,
     * so the chunk files, the meta file and the shape directory itself are all reachable after a crash. Four
     * fsyncs per shape, once; none per row.
     */
    void complete(SnapshotInfo info) throws IOException {
        Progress p = progress;
        if (p.complete()) throw new IllegalStateException("snapshot already complete");
        if (writer == null) writer = new Writer(p.chunk);
        if (!writer.closed) closeChunk();
        long[] lengths = writer.lengths();
        Path shapeDir = shapePath.dir();
        ShapeLayout.writeDurably(shapeDir.resolve(ShapeLayout.SHAPE_META),
                MetadataFiles.encode(definition, info, lengths));
        ShapeLayout.fsyncDirectory(shapeDir);
        ShapeLayout.fsyncDirectory(shapeDir.getParent());
        writer = null;
        definition = null;
        publish(new Progress(lengths.length - 1, lengths[lengths.length - 1], true, info));
    }

    /** Writer only: releases an unfinished writer's file (shape deleted or storage closed). */
    void abandon() {
        if (writer != null) writer.closeQuietly();
        writer = null;
    }

    private void closeChunk() throws IOException {
        writer.closeChunk();
        publish(new Progress(writer.chunk, writer.fileLength, true, null));
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

        void closeChunk() throws IOException {
            if (channel == null) open();
            buffer.flip();
            writeFully(buffer);
            buffer.clear();
            channel.force(false);
            channel.close();
            channel = null;
            closed = true;
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
