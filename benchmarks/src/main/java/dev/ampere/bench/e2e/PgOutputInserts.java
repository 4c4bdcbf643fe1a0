package dev.ampere.bench.e2e;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Just enough of a pgoutput (protocol version 1) decoder for the baseline: remembers table names from Relation
 * messages, collects the first column (the benchmark tables' bigint id) of each Insert, and on Commit hands the
 * transaction's table and ids to a listener. Every other message is skipped. One thread uses it.
 */
final class PgOutputInserts {
    /** A decoded commit: the table its inserts went to (the benchmark writes one table per transaction). */
    interface Listener {
        void onCommit(String table, long[] ids, int count, long receivedNanos);
    }

    private final Map<Integer, String> tables = new HashMap<>();
    private String table;
    private long[] ids = new long[64];
    private int count;

    void accept(ByteBuffer msg, long receivedNanos, Listener listener) {
        byte type = msg.get();
        switch (type) {
            case 'B' -> {
                table = null;
                count = 0;
            }
            case 'R' -> {
                int relid = msg.getInt();
                cstring(msg);
                tables.put(relid, cstring(msg));
            }
            case 'I' -> insert(msg);
            case 'C' -> {
                if (listener != null && table != null) listener.onCommit(table, ids, count, receivedNanos);
                table = null;
                count = 0;
            }
            default -> {
                // Type, Origin, Update, Delete, Truncate, Message: not part of the measurement
            }
        }
    }

    private void insert(ByteBuffer msg) {
        table = tables.get(msg.getInt());
        msg.get(); // 'N'
        short columns = msg.getShort();
        if (columns < 1 || msg.get() != 't') return;
        int len = msg.getInt();
        long id = 0;
        for (int i = 0; i < len; i++) {
            byte b = msg.get();
            if (b < '0' || b > '9') return;
            id = id * 10 + (b - '0');
        }
        if (count == ids.length) ids = Arrays.copyOf(ids, count * 2);
        ids[count++] = id;
    }

    private static String cstring(ByteBuffer msg) {
        int start = msg.position();
        while (msg.get() != 0) {
            // to the terminator
        }
        byte[] b = new byte[msg.position() - start - 1];
        msg.get(start, b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
