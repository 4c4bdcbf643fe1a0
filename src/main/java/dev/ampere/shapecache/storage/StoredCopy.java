package dev.ampere.shapecache.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A stored copy of one of a shape's immutable bodies, such as a compressed snapshot or log chunk
 * ({@link ShapeStorage#writeCopy}): a file in the shape's directory, written once and whole, removed with the shape.
 * What the bytes mean is the writer's business; storage only keeps them.
 *
 * <p>Immutable. {@link #open()} may be called from any thread; each caller reads through its own channel.
 */
public final class StoredCopy {
    private final Path file;
    private final long length;

    StoredCopy(Path file, long length) {
        this.file = file;
        this.length = length;
    }

    /** The copy's size in bytes. */
    public long length() {
        return length;
    }

    /**
     * Opens the copy for reading. Once open, it stays readable even if the shape is deleted meanwhile (the file's
     * data lives until the last channel closes).
     */
    public Reader open() throws IOException {
        return new Reader(FileChannel.open(file, StandardOpenOption.READ), length);
    }

    /** One reader of a copy: {@link #transferTo} writes it whole, or throws. */
    public static final class Reader implements AutoCloseable {
        private final FileChannel channel;
        private final long length;

        private Reader(FileChannel channel, long length) {
            this.channel = channel;
            this.length = length;
        }

        /**
         * Writes all {@link StoredCopy#length()} bytes to {@code out}; throws if the file ends early (it is never
         * shortened while stored, so that means it was damaged).
         */
        public void transferTo(OutputStream out) throws IOException {
            byte[] buf = new byte[(int) Math.min(64 * 1024, Math.max(1, length))];
            ByteBuffer bb = ByteBuffer.wrap(buf);
            long position = 0;
            while (position < length) {
                bb.clear().limit((int) Math.min(buf.length, length - position));
                int n = channel.read(bb, position);
                if (n < 0) throw new IOException("stored copy ended after " + position + " of " + length + " bytes");
                out.write(buf, 0, n);
                position += n;
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
