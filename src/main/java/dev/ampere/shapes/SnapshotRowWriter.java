package dev.ampere.shapes;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.ampere.postgres.TableInfo;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Encodes snapshot rows parsed from COPY text ({@link CopyTextRow}) to the exact bytes of
 * {@link LogItemEncoder#snapshotRow} (docs/protocol.md §1.11), with one reused generator, precomputed field names and
 * the values' UTF-8 bytes passed straight through: no String per value or per key.
 *
 * <p>Characters outside the Basic Multilingual Plane are the exception: the generator writes them, from a String, as
 * escaped surrogate pairs ({@code \uD83D\uDE00}), so a value (or key) holding one goes through a String to give the
 * same bytes.
 *
 * <p>The key is built in bytes the way {@code RowKeys.key} builds it: the table's prefix, then per key column
 * {@code /"value"} with {@code /} doubled, or {@code /_} for NULL.
 *
 * <p>Not thread-safe: one per encoding thread. Rows go to the {@link Sink} given to {@link #target}.
 */
public final class SnapshotRowWriter {
    private static final JsonFactory JSON = new JsonFactory();
    private static final SerializableString KEY = new SerializedString("key");
    private static final SerializableString VALUE = new SerializedString("value");
    private static final SerializableString HEADERS = new SerializedString("headers");
    private static final SerializableString OPERATION = new SerializedString("operation");
    private static final SerializableString RELATION = new SerializedString("relation");

    /** A growable byte buffer rows are appended to; exposes its array so rows can be stored without a copy. */
    public static final class Sink extends OutputStream {
        private byte[] buf;
        private int count;

        public Sink(int capacity) {
            buf = new byte[capacity];
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        private void ensure(int more) {
            if (buf.length - count < more) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
        }

        public byte[] array() {
            return buf;
        }

        public int size() {
            return count;
        }

        public void reset() {
            count = 0;
        }
    }

    /** Forwards the generator's output to the current sink. */
    private static final class Target extends OutputStream {
        Sink sink;

        @Override
        public void write(int b) {
            sink.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            sink.write(b, off, len);
        }
    }

    private final SerializableString[] names;
    private final int[] keyColumns;
    private final byte[] prefix;
    private final String schema;
    private final String table;
    private final Target target = new Target();
    private final JsonGenerator g;
    private byte[] key = new byte[128];

    /**
     * @param table      the shape's table (relation and key prefix)
     * @param columns    the selected columns, in COPY order
     * @param keyColumns positions in {@code columns} of the key columns, in key order
     */
    public SnapshotRowWriter(TableInfo table, List<String> columns, int[] keyColumns) {
        this.names = columns.stream().map(SerializedString::new).toArray(SerializableString[]::new);
        this.keyColumns = keyColumns.clone();
        this.prefix = LogItemEncoder.keyPrefix(table).getBytes(StandardCharsets.UTF_8);
        this.schema = table.schema();
        this.table = table.name();
        try {
            g = JSON.createGenerator(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        g.setRootValueSeparator(null); // one message after another, nothing between
    }

    /** Sends the following rows to {@code sink}. */
    public void target(Sink sink) {
        target.sink = sink;
    }

    /** Appends one row's message to the current sink; returns the sink's size after it. */
    public int write(CopyTextRow row) {
        try {
            g.writeStartObject();
            g.writeFieldName(KEY);
            int keyLength = key(row);
            if (keySupplementary(row)) g.writeString(new String(key, 0, keyLength, UTF_8));
            else g.writeUTF8String(key, 0, keyLength);
            g.writeFieldName(VALUE);
            g.writeStartObject();
            for (int i = 0; i < names.length; i++) {
                g.writeFieldName(names[i]);
                byte[] a = row.array(i);
                if (a == null) g.writeNull();
                else if (row.supplementary(i)) g.writeString(new String(a, row.offset(i), row.length(i), UTF_8));
                else g.writeUTF8String(a, row.offset(i), row.length(i));
            }
            g.writeEndObject();
            g.writeFieldName(HEADERS);
            g.writeStartObject();
            g.writeFieldName(OPERATION);
            g.writeString("insert");
            g.writeFieldName(RELATION);
            g.writeStartArray();
            g.writeString(schema);
            g.writeString(table);
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
            g.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target.sink.size();
    }

    private boolean keySupplementary(CopyTextRow row) {
        for (int c : keyColumns) if (row.supplementary(c)) return true;
        return false;
    }

    private int key(CopyTextRow row) {
        int n = 0;
        n = put(prefix, 0, prefix.length, n);
        for (int c : keyColumns) {
            byte[] a = row.array(c);
            if (a == null) {
                n = put(NULL_PART, 0, 2, n);
                continue;
            }
            int off = row.offset(c);
            int len = row.length(c);
            ensureKey(n + 3 + 2 * len);
            key[n++] = '/';
            key[n++] = '"';
            for (int i = off; i < off + len; i++) {
                byte b = a[i];
                if (b == '/') key[n++] = '/';
                key[n++] = b;
            }
            key[n++] = '"';
        }
        return n;
    }

    private static final byte[] NULL_PART = {'/', '_'};

    private int put(byte[] b, int off, int len, int n) {
        ensureKey(n + len);
        System.arraycopy(b, off, key, n, len);
        return n + len;
    }

    private void ensureKey(int size) {
        if (key.length < size) key = Arrays.copyOf(key, Math.max(key.length * 2, size));
    }
}
