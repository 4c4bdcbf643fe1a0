package dev.ampere.shapes;

import dev.ampere.shapecache.storage.SnapshotInfo;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/protocol.md §3.6: a streamed transaction is already in the snapshot iff {@code xid < xmin}, or
 * {@code xid < xmax} and {@code xid} is not in {@code xip_list}; xids compare modulo 2^32 (snapshot values are
 * 64-bit xid8, pgoutput xids 32-bit).
 */
class SnapshotVisibilityTest {
    private static final SnapshotVisibility PLAIN = new SnapshotVisibility(new SnapshotInfo(100, 110, new long[]{103, 105}));

    @Test
    void belowXminIsContained() {
        assertTrue(PLAIN.containsTransaction(1));
        assertTrue(PLAIN.containsTransaction(99));
        assertFalse(PLAIN.isAfterSnapshot(99));
    }

    @Test
    void betweenXminAndXmaxIsContainedUnlessInProgress() {
        assertTrue(PLAIN.containsTransaction(100));
        assertTrue(PLAIN.containsTransaction(104));
        assertTrue(PLAIN.containsTransaction(109));
        assertFalse(PLAIN.containsTransaction(103));
        assertFalse(PLAIN.containsTransaction(105));
        assertFalse(PLAIN.isAfterSnapshot(105));
        assertFalse(PLAIN.isAfterSnapshot(109));
    }

    @Test
    void fromXmaxOnIsNotContainedAndAfterTheSnapshot() {
        assertFalse(PLAIN.containsTransaction(110));
        assertFalse(PLAIN.containsTransaction(5000));
        assertTrue(PLAIN.isAfterSnapshot(110));
        assertTrue(PLAIN.isAfterSnapshot(5000));
    }

    @Test
    void precedesIsModulo2To32() {
        assertTrue(SnapshotVisibility.precedes(1, 2));
        assertFalse(SnapshotVisibility.precedes(2, 1));
        assertFalse(SnapshotVisibility.precedes(7, 7));
        // Across the wrap: 0xFFFFFFF0 precedes 5, and 5 does not precede 0xFFFFFFF0.
        assertTrue(SnapshotVisibility.precedes(0xFFFF_FFF0L, 5));
        assertFalse(SnapshotVisibility.precedes(5, 0xFFFF_FFF0L));
        // Only the low 32 bits count: an xid8 of epoch 3 against the 32-bit xid.
        assertFalse(SnapshotVisibility.precedes((3L << 32) + 10, 10));
        assertTrue(SnapshotVisibility.precedes(9, (3L << 32) + 10));
        // Half the circle away is the turning point, as in TransactionIdPrecedes.
        assertTrue(SnapshotVisibility.precedes(0, (1L << 31) - 1));
        assertTrue(SnapshotVisibility.precedes(0, 1L << 31));
        assertFalse(SnapshotVisibility.precedes(0, (1L << 31) + 1));
    }

    @Test
    void snapshotAcrossTheWrapComparesPgoutputXidsModulo2To32() {
        // xmin in epoch 1 just before the wrap, xmax and an in-progress xid in epoch 2 just after it.
        SnapshotVisibility v = new SnapshotVisibility(new SnapshotInfo((1L << 32) + 0xFFFF_FFF6L, (2L << 32) + 5,
                new long[]{(2L << 32) + 2}));
        assertTrue(v.containsTransaction(0xFFFF_FFF0L), "before xmin");
        assertTrue(v.containsTransaction(0xFFFF_FFF8L), "between xmin and xmax, before the wrap");
        assertTrue(v.containsTransaction(3), "between xmin and xmax, after the wrap");
        assertFalse(v.containsTransaction(2), "in progress (xip holds its xid8)");
        assertFalse(v.containsTransaction(5), "xmax");
        assertFalse(v.containsTransaction(6));
        assertTrue(v.isAfterSnapshot(5));
        assertFalse(v.isAfterSnapshot(3));
        assertFalse(v.isAfterSnapshot(0xFFFF_FFF8L));
    }

    @Test
    void emptySnapshotXminEqualsXmax() {
        SnapshotVisibility v = new SnapshotVisibility(new SnapshotInfo(50, 50, new long[0]));
        assertTrue(v.containsTransaction(49));
        assertFalse(v.containsTransaction(50));
        assertTrue(v.isAfterSnapshot(50));
    }
}
