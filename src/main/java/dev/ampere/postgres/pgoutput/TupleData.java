package dev.ampere.postgres.pgoutput;

import java.util.Arrays;

/**
 * The column values of one row in a pgoutput message, in the relation's column order. Each column has a kind:
 * {@link #NULL} ({@code n}), {@link #UNCHANGED_TOAST} ({@code u}: the value was not sent because it is stored out of
 * line and did not change), {@link #TEXT} ({@code t}) or {@link #BINARY} ({@code b}, only with the {@code binary}
 * option). Text values are decoded from UTF-8 once; binary values are kept as bytes.
 *
 * <p>The arrays are exposed without copying so that the change model can adopt them; treat them as read-only.
 * Not thread-safe to mutate; safe to share once built.
 */
public final class TupleData {
    public static final byte NULL = 'n';
    public static final byte UNCHANGED_TOAST = 'u';
    public static final byte TEXT = 't';
    public static final byte BINARY = 'b';

    private final byte[] kinds;
    private final String[] texts;
    private final byte[][] binaries;

    /** {@code binaries} may be null when no column is {@link #BINARY}. */
    public TupleData(byte[] kinds, String[] texts, byte[][] binaries) {
        this.kinds = kinds;
        this.texts = texts;
        this.binaries = binaries;
    }

    public int size() {
        return kinds.length;
    }

    public byte kind(int column) {
        return kinds[column];
    }

    /** The text value, or null for NULL, unchanged-TOAST and binary columns. */
    public String text(int column) {
        return texts[column];
    }

    /** The raw value of a {@link #BINARY} column, else null. */
    public byte[] binary(int column) {
        return binaries == null ? null : binaries[column];
    }

    public boolean hasUnchangedToast() {
        for (byte k : kinds) {
            if (k == UNCHANGED_TOAST) return true;
        }
        return false;
    }

    /** The text values array itself (no copy). */
    public String[] texts() {
        return texts;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TupleData t && Arrays.equals(kinds, t.kinds) && Arrays.equals(texts, t.texts)
                && Arrays.deepEquals(binaries, t.binaries);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(kinds) * 31 + Arrays.hashCode(texts);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TupleData[");
        for (int i = 0; i < kinds.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append((char) kinds[i]);
            if (kinds[i] == TEXT) sb.append(':').append(texts[i]);
        }
        return sb.append(']').toString();
    }
}
