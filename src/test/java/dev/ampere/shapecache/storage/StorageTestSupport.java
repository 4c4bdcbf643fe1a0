package dev.ampere.shapecache.storage;

import dev.ampere.changes.LogOffset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Helpers shared by the storage tests: item factories and cursor draining. */
final class StorageTestSupport {
    private StorageTestSupport() {
    }

    static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A log item whose JSON names its offset and is padded to {@code size} bytes. */
    static LogItem item(long tx, long op, int size) {
        String head = "{\"o\":\"" + tx + "_" + op + "\",\"p\":\"";
        StringBuilder sb = new StringBuilder(head);
        while (sb.length() < size - 2) sb.append('x');
        sb.append("\"}");
        return new LogItem(LogOffset.of(tx, op), "\"public\".\"t\"/\"" + tx + "_" + op + "\"", Operation.INSERT,
                json(sb.toString()));
    }

    static List<LogItem> txn(long tx, int count, int size) {
        List<LogItem> items = new ArrayList<>();
        for (int i = 0; i < count; i++) items.add(item(tx, 2L * i, size));
        return items;
    }

    /** Drains a cursor that must not answer NOT_YET. */
    static List<String> drain(ItemCursor c) throws IOException {
        List<String> out = new ArrayList<>();
        try (c) {
            while (true) {
                ItemCursor.Step s = c.advance();
                if (s == ItemCursor.Step.END) return out;
                if (s == ItemCursor.Step.NOT_YET) throw new AssertionError("unexpected NOT_YET");
                out.add(new String(c.json(), 0, c.jsonLength(), StandardCharsets.UTF_8));
            }
        }
    }

    static List<LogOffset> drainOffsets(ItemCursor c) throws IOException {
        List<LogOffset> out = new ArrayList<>();
        try (c) {
            while (c.advance() == ItemCursor.Step.ITEM) out.add(c.offset());
        }
        return out;
    }

    static byte[] concat(ItemCursor c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (c) {
            while (c.advance() == ItemCursor.Step.ITEM) c.writeJsonTo(out);
        }
        return out.toByteArray();
    }

    static List<String> jsonOf(List<LogItem> items) {
        List<String> out = new ArrayList<>();
        for (LogItem i : items) out.add(new String(i.json(), StandardCharsets.UTF_8));
        return out;
    }
}
