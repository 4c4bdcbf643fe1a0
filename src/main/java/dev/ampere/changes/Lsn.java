package dev.ampere.changes;

/**
 * A Postgres log sequence number: an unsigned 64-bit WAL position. Postgres writes it {@code X/Y} (two hex
 * halves); the Shape API writes it as a decimal string. Never assume it fits in 32 bits or in a signed long's
 * positive range.
 *
 * <p>Immutable.
 */
public record Lsn(long value) implements Comparable<Lsn> {
    public static final Lsn ZERO = new Lsn(0);

    /** Parses Postgres's {@code X/Y} form, e.g. {@code 16/B374D848}. */
    public static Lsn parse(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) throw new IllegalArgumentException("not an LSN: " + text);
        long hi = Long.parseUnsignedLong(text.substring(0, slash), 16);
        long lo = Long.parseUnsignedLong(text.substring(slash + 1), 16);
        if (hi > 0xFFFF_FFFFL || lo > 0xFFFF_FFFFL) throw new IllegalArgumentException("not an LSN: " + text);
        return new Lsn((hi << 32) | lo);
    }

    @Override
    public int compareTo(Lsn o) {
        return Long.compareUnsigned(value, o.value);
    }

    public boolean isAfter(Lsn o) {
        return compareTo(o) > 0;
    }

    public static Lsn max(Lsn a, Lsn b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The decimal form used on the wire ({@code global_last_seen_lsn}, offsets). */
    public String toDecimal() {
        return Long.toUnsignedString(value);
    }

    /** Postgres's {@code X/Y} form. */
    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFF_FFFFL).toUpperCase();
    }
}
