package dev.ampere.shapecache.storage;

import dev.ampere.changes.LogOffset;

/**
 * The published state of a shape's main log: latest offset and its Chronicle index, the first index, the chunk
 * boundaries as triples (tx, op, Chronicle index) ascending, the running chunk byte count, and the ends of the
 * last few append batches (seek anchors: a live request resumes exactly from one of them, so finding where to
 * start needs no search).
 *
 * <p>Immutable once published: the writer builds a new one per batch; arrays are never modified after that.
 */
record LogState(LogOffset latest, long firstIndex, long latestIndex, long lastBoundaryIndex, long chunkBytes,
                long[] boundaries, long[] recentBatchEnds) {
    /** How many recent batch ends are kept as seek anchors (a live client resumes from one of them). */
    static final int RECENT = 8;

    static final LogState EMPTY = new LogState(LogOffset.LAST_BEFORE_REAL_OFFSETS, -1, -1, -1, 0, new long[0],
            new long[0]);

    int boundaryCount() {
        return boundaries.length / 3;
    }

    LogOffset boundary(int i) {
        return LogOffset.of(boundaries[3 * i], boundaries[3 * i + 1]);
    }

    long boundaryIndex(int i) {
        return boundaries[3 * i + 2];
    }

    /** Recent batch ends plus the new one, oldest dropped: triples (tx, op, index). */
    static long[] withRecent(long[] recent, LogOffset end, long index) {
        int keep = Math.min(recent.length / 3, RECENT - 1);
        long[] out = new long[3 * (keep + 1)];
        System.arraycopy(recent, recent.length - 3 * keep, out, 0, 3 * keep);
        out[3 * keep] = end.tx();
        out[3 * keep + 1] = end.op();
        out[3 * keep + 2] = index;
        return out;
    }

    /** The position of the first boundary whose offset is greater than {@code o}. */
    int firstBoundaryAfter(LogOffset o) {
        int lo = 0;
        int hi = boundaryCount();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (boundary(mid).isAfter(o)) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }
}
