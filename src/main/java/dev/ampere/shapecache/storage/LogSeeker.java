package dev.ampere.shapecache.storage;

import dev.ampere.changes.LogOffset;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Positions a tailer on the first log item whose offset is above a requested offset.
 *
 * <p>A random {@code moveToIndex} costs tens of microseconds while a sequential read costs well under one, so
 * the search leans on anchors whose index is known - chunk boundaries (where catch-up requests resume) and the
 * ends of recent batches (where live requests resume) - answering those exactly with a single move. Other
 * offsets (an SSE client resuming from {@code <lsn>_0}, a client far behind) narrow the range between anchors by
 * binary search down to {@value #SCAN_WINDOW} items, then read forward.
 *
 * <p>Stateless; the tailer belongs to the calling thread.
 */
final class LogSeeker {
    static final int SCAN_WINDOW = 256;

    private LogSeeker() {
    }

    /** Positions {@code tailer} on the first item with offset above {@code after}; returns its index. */
    static long positionAfter(ExcerptTailer tailer, LogState s, LogOffset after) {
        int next = s.firstBoundaryAfter(after);
        long lo = next == 0 ? s.firstIndex() : s.boundaryIndex(next - 1) + 1;
        long hi = next < s.boundaryCount() ? s.boundaryIndex(next) : s.latestIndex();
        boolean exact = next > 0 && s.boundary(next - 1).equals(after);
        long[] recent = s.recentBatchEnds();
        for (int i = 0; i < recent.length && !exact; i += 3) {
            LogOffset end = LogOffset.of(recent[i], recent[i + 1]);
            long index = recent[i + 2];
            if (!end.isAfter(after) && index + 1 > lo) {
                lo = index + 1;
                exact = end.equals(after);
            } else if (end.isAfter(after) && index < hi) {
                hi = index;
            }
        }
        if (!exact) {
            while (hi - lo > SCAN_WINDOW) {
                long mid = (lo + hi) >>> 1;
                if (compareAt(tailer, mid, after) > 0) hi = mid;
                else lo = mid + 1;
            }
        }
        move(tailer, lo);
        return exact ? lo : scanForward(tailer, lo, hi, after);
    }

    /** Reads forward from {@code index} and leaves the tailer on the first item above {@code after}. */
    private static long scanForward(ExcerptTailer tailer, long index, long hi, LogOffset after) {
        for (long i = index; i < hi; i++) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) throw new StorageCorruptException("log item " + i + " unreadable");
                if (LogRecord.compareOffset(dc.wire().bytes(), after) > 0) {
                    dc.rollbackOnClose(); // stay on this item: the cursor reads it first
                    return i;
                }
            }
        }
        return hi; // the item at hi is known to be above `after`, and the tailer now stands on it
    }

    private static int compareAt(ExcerptTailer tailer, long index, LogOffset after) {
        move(tailer, index);
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) throw new StorageCorruptException("log item " + index + " unreadable");
            return LogRecord.compareOffset(dc.wire().bytes(), after);
        }
    }

    private static void move(ExcerptTailer tailer, long index) {
        if (!tailer.moveToIndex(index)) throw new StorageCorruptException("log index " + index + " missing");
    }
}
