package dev.ampere.shapes;

import dev.ampere.shapecache.storage.SnapshotInfo;

/**
 * Whether a streamed transaction is already contained in a shape's snapshot (docs/protocol.md §3.6): it is iff
 * {@code xid < xmin}, or {@code xid < xmax} and {@code xid} is not in {@code xip_list}. Xids are compared modulo 2^32,
 * as Postgres's {@code TransactionIdPrecedes} does, because pgoutput carries 32-bit xids while the snapshot carries
 * 64-bit ones.
 *
 * <p>Immutable.
 */
final class SnapshotVisibility {
    private final SnapshotInfo info;

    SnapshotVisibility(SnapshotInfo info) {
        this.info = info;
    }

    static boolean precedes(long a, long b) {
        return (int) ((int) a - (int) b) < 0;
    }

    boolean containsTransaction(long xid) {
        if (precedes(xid, info.xmin())) return true;
        if (!precedes(xid, info.xmax())) return false;
        for (long x : info.xipList()) if ((int) x == (int) xid) return false;
        return true;
    }

    /** True when {@code xid} began after the snapshot: from then on no transaction can be in it. */
    boolean isAfterSnapshot(long xid) {
        return !precedes(xid, info.xmax());
    }
}
