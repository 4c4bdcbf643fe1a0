package dev.ampere.changes;

import java.util.Optional;

/**
 * A position in a shape log: {@code (tx, op)}, written {@code "<tx>_<op>"} (docs/protocol.md §1.6).
 *
 * <p>{@code tx} is the commit LSN as an <em>unsigned</em> 64-bit integer (LSNs may pass 2^63), or 0 for the
 * virtual snapshot region, where {@code op} is the snapshot chunk number. {@code op} is the index of the change in
 * its transaction stepping by 2 (the odd slot is the insert half of a primary-key change), or {@link #INF}, which
 * sorts above every integer. {@link #BEFORE_ALL} ({@code "-1"}) sorts before every other offset.
 *
 * <p>Immutable and therefore safe to share between threads.
 */
public final class LogOffset implements Comparable<LogOffset> {
    /** The {@code op} value written {@code inf}. */
    public static final long INF = Long.MAX_VALUE;

    /** {@code -1}: before every entry; a request from here starts with the snapshot. */
    public static final LogOffset BEFORE_ALL = new LogOffset(0, 0, true);
    /** {@code 0_0}: the first snapshot chunk. */
    public static final LogOffset FIRST = new LogOffset(0, 0, false);
    /** {@code 0_inf}: the end of the snapshot region; the latest offset of a shape without data yet. */
    public static final LogOffset LAST_BEFORE_REAL_OFFSETS = new LogOffset(0, INF, false);
    /** {@code (2^64-1)_inf}: the last possible offset. */
    public static final LogOffset LAST = new LogOffset(-1L, INF, false);

    private final long tx;
    private final long op;
    private final boolean beforeAll;

    private LogOffset(long tx, long op, boolean beforeAll) {
        this.tx = tx;
        this.op = op;
        this.beforeAll = beforeAll;
    }

    /** An offset in the log; {@code tx} is read as unsigned, {@code op} must be non-negative or {@link #INF}. */
    public static LogOffset of(long tx, long op) {
        if (op < 0) throw new IllegalArgumentException("negative op offset: " + op);
        return new LogOffset(tx, op, false);
    }

    /** The virtual offset of snapshot chunk {@code k}: {@code 0_k}. */
    public static LogOffset snapshotChunk(long k) {
        return of(0, k);
    }

    /**
     * Parses the wire form: {@code -1}, or {@code <tx>_<op>} with decimal digits (tx up to 2^64-1) and op digits
     * or {@code inf}. Returns empty for anything else; {@code now} is a request mode, not an offset, and is left
     * to the caller.
     */
    public static Optional<LogOffset> parse(String text) {
        if (text == null) return Optional.empty();
        if (text.equals("-1")) return Optional.of(BEFORE_ALL);
        int sep = text.indexOf('_');
        if (sep <= 0 || sep == text.length() - 1 || text.indexOf('_', sep + 1) >= 0) return Optional.empty();
        String txText = text.substring(0, sep);
        String opText = text.substring(sep + 1);
        if (!allDigits(txText)) return Optional.empty();
        long tx;
        try {
            tx = Long.parseUnsignedLong(txText);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (opText.equals("inf")) return Optional.of(of(tx, INF));
        if (!allDigits(opText)) return Optional.empty();
        try {
            long op = Long.parseLong(opText);
            return op == INF ? Optional.empty() : Optional.of(of(tx, op));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean allDigits(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    /** The commit LSN (unsigned), or 0 inside the snapshot region. Meaningless for {@link #BEFORE_ALL}. */
    public long tx() {
        return tx;
    }

    /** The operation index, the snapshot chunk number, or {@link #INF}. Meaningless for {@link #BEFORE_ALL}. */
    public long op() {
        return op;
    }

    public boolean isBeforeAll() {
        return beforeAll;
    }

    /** True for offsets in the virtual snapshot region {@code 0_k} (and {@code 0_inf}). */
    public boolean isSnapshot() {
        return !beforeAll && tx == 0;
    }

    /** The same transaction, the next operation slot ({@code op + 1}); used for the insert half of a key change. */
    public LogOffset increment() {
        if (beforeAll || op == INF) throw new IllegalStateException("cannot increment " + this);
        return of(tx, op + 1);
    }

    @Override
    public int compareTo(LogOffset o) {
        if (beforeAll || o.beforeAll) return Boolean.compare(o.beforeAll, beforeAll);
        int c = Long.compareUnsigned(tx, o.tx);
        return c != 0 ? c : Long.compare(op, o.op);
    }

    public boolean isAfter(LogOffset o) {
        return compareTo(o) > 0;
    }

    public boolean isBefore(LogOffset o) {
        return compareTo(o) < 0;
    }

    public static LogOffset max(LogOffset a, LogOffset b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogOffset other && compareTo(other) == 0;
    }

    @Override
    public int hashCode() {
        return beforeAll ? -1 : Long.hashCode(tx) * 31 + Long.hashCode(op);
    }

    /** The wire form: {@code -1}, {@code <tx>_<op>} or {@code <tx>_inf}. */
    @Override
    public String toString() {
        if (beforeAll) return "-1";
        return Long.toUnsignedString(tx) + "_" + (op == INF ? "inf" : Long.toString(op));
    }
}
