package dev.ampere.shapecache.storage;

import dev.ampere.changes.LogOffset;
import java.nio.file.Path;
import java.util.Arrays;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.SparseRollCycles;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * How a shape log's Chronicle queue is configured and how a reopened log rebuilds its {@link LogState}.
 *
 * <p>Queue configuration, chosen for many small logs:
 * <ul>
 *   <li>Roll cycle {@code SMALL_DAILY} with a <em>fixed</em> time provider: a shape log never rolls, so it is
 *   one data file whose indexes are contiguous (which the range search relies on), capped at 512M items per
 *   shape. Time-based rolling buys nothing here: a log is addressed by LogOffset and deleted as a whole.
 *   {@code SMALL_DAILY}'s index (8,192 entries every 8 items) keeps a fresh file sparse: about 20 KB on disk.</li>
 *   <li>Block size {@value #BLOCK_SIZE} bytes: the mapping unit. Files are sparse, so a small shape does not
 *   occupy it on disk; a larger block would mean fewer remaps for big logs but more address space per open queue.
 *   A Chronicle document must fit in a quarter block, so rows with huge JSON (TOASTed values) go to overflow
 *   files rather than forcing every shape to map a huge block.</li>
 *   <li>{@code SyncMode.NONE}: Chronicle never msyncs on its own (that would stall the writer at random block
 *   changes). Durability is explicit: {@link ShapeLog#flush()} fsyncs the data file once per batch, as the
 *   replication acknowledgement needs, and never per item. Writes land in the page cache through the mapping, so
 *   a killed process loses nothing; only an OS crash can lose what was not flushed, and that was not acknowledged.</li>
 * </ul>
 *
 * <p>Stateless; thread-safe.
 */
final class ChronicleLogRecovery {
    static final int BLOCK_SIZE = 1 << 20;
    /**
     * Chronicle refuses a document larger than the mapping overlap (a quarter of the block). Items whose JSON
     * would take a record past this size keep their JSON in an overflow file instead ({@link OverflowFiles}).
     */
    static final int MAX_INLINE_RECORD_BYTES = BLOCK_SIZE / 8;
    private static final RollCycle ROLL_CYCLE = SparseRollCycles.SMALL_DAILY;
    private static final TimeProvider FIXED_TIME = () -> 0L;

    private ChronicleLogRecovery() {
    }

    static SingleChronicleQueue open(Path dir) {
        return SingleChronicleQueueBuilder.binary(dir)
                .rollCycle(ROLL_CYCLE)
                .timeProvider(FIXED_TIME)
                .blockSize(BLOCK_SIZE)
                .syncMode(SyncMode.NONE)
                .checkInterrupts(false)
                .build();
    }

    /** Reads the last item and follows the boundary back-pointers: O(number of chunks), not O(log size). */
    static LogState loadState(QueuePool pool, ShapePath shape) {
        try (QueuePool.Lease lease = pool.acquire(shape); ExcerptTailer tailer = lease.queue().createTailer()) {
            SingleChronicleQueue q = lease.queue();
            long last = q.lastIndex();
            long first = q.firstIndex();
            if (last < 0 || first == Long.MAX_VALUE) return LogState.EMPTY;
            LogRecord.Header tail = header(tailer, last);
            long chunkBytes = tail.boundary() ? 0 : tail.chunkBytes();
            long lastBoundary = tail.boundary() ? last : tail.previousBoundary();
            long[] reversed = new long[0];
            for (long at = lastBoundary; at >= 0; ) {
                LogRecord.Header h = at == last ? tail : header(tailer, at);
                if (!h.boundary()) throw new StorageCorruptException("boundary chain points at a plain item " + at);
                reversed = Arrays.copyOf(reversed, reversed.length + 3);
                reversed[reversed.length - 3] = h.tx();
                reversed[reversed.length - 2] = h.op();
                reversed[reversed.length - 1] = at;
                if (h.previousBoundary() >= at) throw new StorageCorruptException("boundary chain loops at " + at);
                at = h.previousBoundary();
            }
            long[] boundaries = new long[reversed.length];
            for (int i = 0, n = reversed.length / 3; i < n; i++) {
                System.arraycopy(reversed, 3 * (n - 1 - i), boundaries, 3 * i, 3);
            }
            LogOffset latest = LogOffset.of(tail.tx(), tail.op());
            return new LogState(latest, first, last, lastBoundary, chunkBytes, boundaries,
                    LogState.withRecent(new long[0], latest, last));
        }
    }

    private static LogRecord.Header header(ExcerptTailer tailer, long index) {
        if (!tailer.moveToIndex(index)) throw new StorageCorruptException("log index " + index + " missing");
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) throw new StorageCorruptException("log item " + index + " unreadable");
            return LogRecord.readHeader(dc.wire().bytes());
        }
    }
}
