package dev.ampere.shapes;

/**
 * One row of Postgres's {@code COPY ... TO STDOUT} text format, split into fields straight from its bytes: fields are
 * separated by tab, the row ends with a newline, a field that is exactly {@code \N} is NULL, and a backslash starts
 * an escape ({@code \b \f \n \r \t \v \\}, octal {@code \ooo} of one to three digits, {@code \xhh} of one or two hex
 * digits, and any other character standing for itself). Field bytes are the value's text in the connection's
 * encoding (UTF-8).
 *
 * <p>A field without a backslash is a view into the row's own bytes; an escaped one is decoded into a buffer this
 * object reuses. So no String and, for most fields, no copy is made per value.
 *
 * <p>Not thread-safe: one per encoding thread; a parsed row's views are valid until the next {@link #parse}.
 */
public final class CopyTextRow {
    private final int columns;
    private final byte[][] array;
    private final int[] offset;
    private final int[] length;
    private final boolean[] supplementary;
    private byte[] decoded = new byte[256];

    public CopyTextRow(int columns) {
        this.columns = columns;
        this.array = new byte[columns][];
        this.offset = new int[columns];
        this.length = new int[columns];
        this.supplementary = new boolean[columns];
    }

    /** Splits one row, {@code row[off, off+len)}, with or without its trailing newline. */
    public void parse(byte[] row, int off, int len) {
        int end = off + len;
        if (end > off && row[end - 1] == '\n') end--;
        int used = 0;
        int pos = off;
        for (int f = 0; f < columns; f++) {
            if (pos > end) throw new IllegalArgumentException("COPY row has " + f + " fields, expected " + columns);
            int start = pos;
            boolean escaped = false;
            boolean fourByte = false;
            byte b;
            while (pos < end && (b = row[pos]) != '\t') {
                if (b == '\\') {
                    escaped = true;
                    pos += 2; // the escaped character is never a field separator
                } else {
                    fourByte |= (b & 0xF0) == 0xF0;
                    pos++;
                }
            }
            supplementary[f] = fourByte;
            if (pos > end) pos = end; // a trailing lone backslash
            int fieldEnd = pos;
            if (escaped && fieldEnd - start == 2 && row[start + 1] == 'N') {
                array[f] = null;
            } else if (!escaped) {
                array[f] = row;
                offset[f] = start;
                length[f] = fieldEnd - start;
            } else {
                used = unescape(row, start, fieldEnd, used, f);
            }
            pos = fieldEnd + 1; // past the tab
        }
        if (pos <= end) throw new IllegalArgumentException("COPY row has more than " + columns + " fields");
        // Fields decoded into the buffer point at it only now: growing it above may have replaced it.
        for (int f = 0; f < columns; f++) if (array[f] == DECODED) array[f] = decoded;
    }

    /** A marker for "in the decode buffer", resolved at the end of {@link #parse} (the buffer may grow meanwhile). */
    private static final byte[] DECODED = new byte[0];

    private int unescape(byte[] row, int from, int to, int used, int field) {
        if (decoded.length - used < to - from) {
            decoded = java.util.Arrays.copyOf(decoded, Math.max(decoded.length * 2, used + (to - from)));
        }
        byte[] out = decoded;
        int w = used;
        int i = from;
        while (i < to) {
            byte b = row[i++];
            if (b != '\\' || i >= to) {
                out[w++] = b;
                continue;
            }
            byte c = row[i++];
            switch (c) {
                case 'b' -> out[w++] = '\b';
                case 'f' -> out[w++] = '\f';
                case 'n' -> out[w++] = '\n';
                case 'r' -> out[w++] = '\r';
                case 't' -> out[w++] = '\t';
                case 'v' -> out[w++] = 0x0B;
                case 'x' -> {
                    int v = 0;
                    int digits = 0;
                    while (digits < 2 && i < to && hex(row[i]) >= 0) {
                        v = v * 16 + hex(row[i++]);
                        digits++;
                    }
                    out[w++] = digits == 0 ? (byte) 'x' : (byte) v;
                }
                default -> {
                    if (c >= '0' && c <= '7') {
                        int v = c - '0';
                        for (int digits = 1; digits < 3 && i < to && row[i] >= '0' && row[i] <= '7'; digits++) {
                            v = v * 8 + (row[i++] - '0');
                        }
                        out[w++] = (byte) v;
                    } else {
                        out[w++] = c;
                    }
                }
            }
        }
        array[field] = DECODED;
        offset[field] = used;
        length[field] = w - used;
        return w;
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') return b - '0';
        if (b >= 'a' && b <= 'f') return b - 'a' + 10;
        if (b >= 'A' && b <= 'F') return b - 'A' + 10;
        return -1;
    }

    /**
     * True when the field may hold a character outside the Basic Multilingual Plane (a four-byte UTF-8 sequence;
     * from an octal or hex escape it is not detected, as COPY TO never writes those for such bytes).
     */
    public boolean supplementary(int field) {
        return supplementary[field];
    }

    public int columns() {
        return columns;
    }

    public boolean isNull(int field) {
        return array[field] == null;
    }

    /** The array holding field {@code field}'s bytes; null for NULL. */
    public byte[] array(int field) {
        return array[field];
    }

    public int offset(int field) {
        return offset[field];
    }

    public int length(int field) {
        return length[field];
    }
}
