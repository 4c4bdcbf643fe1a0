package dev.ampere.shapes;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.ampere.postgres.TableInfo;
import dev.ampere.postgres.RowKeys;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes a shape's log items to the JSON of docs/protocol.md §1.11, once, at write time: snapshot rows, change messages
 * from replication and the control messages stored in the log. Values stay Postgres text (JSON strings) or null.
 *
 * <p>Not thread-safe: one encoder per writer thread (it reuses its buffer).
 */
public final class LogItemEncoder {
    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] LAST = ",\"last\":true".getBytes(StandardCharsets.US_ASCII);

    private final String schema;
    private final String table;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);

    public LogItemEncoder(TableInfo table) {
        this.schema = table.schema();
        this.table = table.name();
    }

    /** The key prefix of this table's rows, {@code "schema"."table"}. */
    public static String keyPrefix(TableInfo table) {
        return RowKeys.prefix(table.schema(), table.name());
    }

    /** A snapshot row: {@code names[i]} has {@code values[i]}; headers carry only operation and relation. */
    public byte[] snapshotRow(String key, List<String> names, String[] values) {
        return insertRow(key, names, values, -1);
    }

    /**
     * A row of a subset snapshot (docs/protocol.md §1.11): as a snapshot row, with the response's {@code snapshot_mark}
     * in its headers, so a client can tell which request a row came from.
     */
    public byte[] subsetRow(String key, List<String> names, String[] values, int snapshotMark) {
        return insertRow(key, names, values, snapshotMark);
    }

    /** An insert of a whole row; {@code snapshotMark} in the headers unless negative. */
    private byte[] insertRow(String key, List<String> names, String[] values, int snapshotMark) {
        buffer.reset();
        try (JsonGenerator g = JSON.createGenerator(buffer)) {
            g.writeStartObject();
            g.writeStringField("key", key);
            writeValues(g, "value", names, values, null);
            g.writeObjectFieldStart("headers");
            g.writeStringField("operation", "insert");
            writeRelation(g);
            if (snapshotMark >= 0) g.writeNumberField("snapshot_mark", snapshotMark);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /**
     * A change from replication.
     *
     * @param operation  insert, update or delete
     * @param names      column names of {@code values}/{@code oldValues}, selected by {@code columns} (positions)
     * @param columns    positions of the columns to write into {@code value}
     * @param oldColumns positions to write into {@code old_value}, or null for none
     * @param keyChange  {@code key_change_to} (on the delete half) or {@code key_change_from} (insert half), or null
     */
    public byte[] change(String operation, String key, List<String> names, String[] values, int[] columns,
                         String[] oldValues, int[] oldColumns, String keyChangeField, String keyChange,
                         long commitLsn, long opPosition, long xid) {
        buffer.reset();
        try (JsonGenerator g = JSON.createGenerator(buffer)) {
            g.writeStartObject();
            g.writeStringField("key", key);
            writeValues(g, "value", names, values, columns);
            if (oldColumns != null) writeValues(g, "old_value", names, oldValues, oldColumns);
            g.writeObjectFieldStart("headers");
            g.writeStringField("operation", operation);
            writeRelation(g);
            g.writeStringField("lsn", Long.toUnsignedString(commitLsn));
            g.writeNumberField("op_position", opPosition);
            g.writeArrayFieldStart("txids");
            g.writeNumber(xid);
            g.writeEndArray();
            if (keyChangeField != null) g.writeStringField(keyChangeField, keyChange);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /**
     * The same message with {@code "last":true} added to its headers, which close the message: the shape's last
     * item of a transaction is only known once the next item (or the end of the transaction) is seen.
     */
    public static byte[] markLast(byte[] json) {
        int insertAt = json.length - 2; // before the closing "}}" of headers and message
        byte[] out = Arrays.copyOf(json, json.length + LAST.length);
        System.arraycopy(LAST, 0, out, insertAt, LAST.length);
        out[out.length - 2] = '}';
        out[out.length - 1] = '}';
        return out;
    }

    /** The {@code snapshot-end} control message closing a snapshot, with the snapshot's bounds. */
    public static byte[] snapshotEnd(long xmin, long xmax, long[] xip) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("headers");
            g.writeStringField("control", "snapshot-end");
            g.writeStringField("xmin", Long.toUnsignedString(xmin));
            g.writeStringField("xmax", Long.toUnsignedString(xmax));
            g.writeArrayFieldStart("xip_list");
            for (long x : xip) g.writeString(Long.toUnsignedString(x));
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void writeRelation(JsonGenerator g) throws IOException {
        g.writeArrayFieldStart("relation");
        g.writeString(schema);
        g.writeString(table);
        g.writeEndArray();
    }

    private static void writeValues(JsonGenerator g, String field, List<String> names, String[] values, int[] columns)
            throws IOException {
        g.writeObjectFieldStart(field);
        if (columns == null) {
            for (int i = 0; i < values.length; i++) writeValue(g, names.get(i), values[i]);
        } else {
            for (int i : columns) writeValue(g, names.get(i), values[i]);
        }
        g.writeEndObject();
    }

    private static void writeValue(JsonGenerator g, String name, String value) throws IOException {
        if (value == null) g.writeNullField(name);
        else g.writeStringField(name, value);
    }
}
