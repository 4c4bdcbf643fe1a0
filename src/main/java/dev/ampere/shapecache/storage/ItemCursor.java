package dev.ampere.shapecache.storage;

import dev.ampere.changes.LogOffset;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A forward-only read over stored items (one snapshot chunk, or a range of the main log), handing out each
 * item's JSON bytes exactly as stored. Nothing is buffered beyond the current item, so a response of any size
 * streams in constant memory.
 *
 * <p>Not thread-safe: one cursor belongs to one reading thread (an HTTP request). Cursors never block the shape's
 * writer. Always close a cursor: it holds an open file or a lease on the shape's Chronicle queue.
 */
public interface ItemCursor extends AutoCloseable {
    /** What {@link #advance()} found. */
    enum Step {
        /** An item is current: read it with {@link #json()}/{@link #jsonLength()}. */
        ITEM,
        /**
         * The writer has not produced the next item yet (only a snapshot chunk that is still being written). Wait
         * with {@link ShapeStorage#awaitChange} using a version read <em>before</em> this call, then advance again.
         */
        NOT_YET,
        /** No more items in this range. */
        END
    }

    Step advance() throws IOException;

    /** The buffer holding the current item's JSON at {@code [0, jsonLength())}; overwritten by the next advance. */
    byte[] json();

    int jsonLength();

    /** The current item's offset; for snapshot chunks, the chunk's virtual offset {@code 0_k}. */
    LogOffset offset();

    default void writeJsonTo(OutputStream out) throws IOException {
        out.write(json(), 0, jsonLength());
    }

    /** A copy of the current item's JSON (convenience for tests and small reads). */
    default byte[] jsonCopy() {
        return java.util.Arrays.copyOf(json(), jsonLength());
    }

    @Override
    void close();
}
