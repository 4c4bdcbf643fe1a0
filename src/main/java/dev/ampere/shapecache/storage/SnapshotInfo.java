package dev.ampere.shapecache.storage;

import java.util.Arrays;

/**
 * The Postgres snapshot a shape's initial data was read in ({@code pg_current_snapshot()}: xmin, xmax and the
 * in-progress xids), stored with the completed snapshot so a restarted consumer can keep filtering transactions
 * the snapshot already contains (docs/protocol.md §3.6) and the HTTP layer can emit {@code snapshot-end}.
 *
 * <p>Immutable (the array is copied in and out).
 */
public record SnapshotInfo(long xmin, long xmax, long[] xipList) {
    public SnapshotInfo {
        xipList = xipList.clone();
    }

    @Override
    public long[] xipList() {
        return xipList.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotInfo s && s.xmin == xmin && s.xmax == xmax && Arrays.equals(s.xipList, xipList);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(xmin) * 31 + Long.hashCode(xmax) * 17 + Arrays.hashCode(xipList);
    }

    @Override
    public String toString() {
        return "SnapshotInfo[xmin=" + Long.toUnsignedString(xmin) + ", xmax=" + Long.toUnsignedString(xmax)
                + ", xip=" + Arrays.toString(xipList) + "]";
    }
}
