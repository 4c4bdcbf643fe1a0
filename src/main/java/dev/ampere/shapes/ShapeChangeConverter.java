package dev.ampere.shapes;

import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.TableInfo;
import dev.ampere.changes.Change;
import dev.ampere.changes.LogOffset;
import dev.ampere.changes.Row;
import dev.ampere.shapecache.storage.LogItem;
import dev.ampere.shapecache.storage.Operation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;

/**
 * Turns the changes of a shape's table into the shape's log items (docs/protocol.md §1.12): where-clause moves (an update
 * leaving the shape is a delete, one entering it an insert with the full row), column projection, replica modes
 * ({@code default}: key plus changed columns; {@code full}: the whole row plus {@code old_value}), updates with no
 * visible change dropped, and a primary-key change split into a delete at {@code op} and an insert at
 * {@code op + 1}. Whether a row belongs to the shape is not evaluated here: the log collector's router evaluated the
 * where clause once and says, per change, whether the old row and the new row are in. Rows are aligned with the
 * table's columns; the consumer checks that the replicated relation still matches the shape's table before it
 * converts anything.
 *
 * <p>Not thread-safe: owned by the shape's consumer.
 */
final class ShapeChangeConverter {
    private final ShapeDefinition shape;
    private final LogItemEncoder encoder;
    private final List<String> names;
    private final Map<String, Integer> positions = new HashMap<>();
    private final int[] selected;
    private final boolean[] isSelected;
    private final int[] keyColumns;
    private final boolean full;

    ShapeChangeConverter(ShapeDefinition shape) {
        this.shape = shape;
        TableInfo table = shape.table();
        this.encoder = new LogItemEncoder(table);
        this.names = table.columns().stream().map(ColumnInfo::name).toList();
        for (int i = 0; i < names.size(); i++) positions.put(names.get(i), i);
        this.selected = shape.columns().stream().mapToInt(table::columnIndex).toArray();
        this.isSelected = new boolean[names.size()];
        for (int i : selected) isSelected[i] = true;
        // In table order, not key order: a default-mode delete writes them into value, whose columns follow the
        // table (docs/protocol.md §1.12). Keys themselves come built with the change.
        this.keyColumns = table.primaryKey().stream().mapToInt(table::columnIndex).sorted().toArray();
        this.full = shape.replica() == ShapeDefinition.Replica.FULL;
    }

    /**
     * Appends the log items {@code change} produces for the shape (no {@code last} marks).
     *
     * @param oldIn the change's old row (update, delete) satisfies the shape's where clause
     * @param newIn the change's new row (insert, update) satisfies it
     */
    void convert(Change change, boolean oldIn, boolean newIn, long commitLsn, long xid, List<LogItem> out) {
        switch (change) {
            case Change.Insert i -> {
                if (newIn) out.add(insert(i.offset(), i.key(), i.record(), null, null, commitLsn, xid));
            }
            case Change.Delete d -> {
                if (oldIn) out.add(delete(d.offset(), d.key(), d.oldRecord(), null, null, commitLsn, xid));
            }
            case Change.Update u -> convertUpdate(u, oldIn, newIn, commitLsn, xid, out);
            case Change.Truncate t -> throw new IllegalArgumentException("a truncate invalidates the shape");
        }
    }

    private void convertUpdate(Change.Update u, boolean oldIn, boolean newIn, long commitLsn, long xid,
                               List<LogItem> out) {
        String oldKey = u.keyChanged() ? u.oldKey() : u.key();
        if (oldIn && newIn) {
            if (u.keyChanged()) {
                out.add(delete(u.offset(), oldKey, u.oldRecord(), "key_change_to", u.key(), commitLsn, xid));
                out.add(insert(u.offset().increment(), u.key(), u.record(), "key_change_from", oldKey, commitLsn, xid));
                return;
            }
            int[] changed = changedSelected(u.changedColumns());
            if (changed.length == 0) return; // nothing the shape shows has changed
            int[] valueColumns = full ? selected : union(keyColumns, changed);
            byte[] json = encoder.change("update", u.key(), names, u.record().values(), valueColumns,
                    u.oldRecord().values(), full ? changed : null, null, null, commitLsn, u.offset().op(), xid);
            out.add(new LogItem(u.offset(), u.key(), Operation.UPDATE, json));
        } else if (oldIn) {
            out.add(delete(u.offset(), oldKey, u.oldRecord(), null, null, commitLsn, xid));
        } else if (newIn) {
            out.add(insert(u.offset(), u.key(), u.record(), null, null, commitLsn, xid));
        }
    }

    private LogItem insert(LogOffset offset, String key, Row row, String keyField, String keyValue, long lsn, long xid) {
        byte[] json = encoder.change("insert", key, names, row.values(), selected, null, null, keyField, keyValue,
                lsn, offset.op(), xid);
        return new LogItem(offset, key, Operation.INSERT, json);
    }

    private LogItem delete(LogOffset offset, String key, Row old, String keyField, String keyValue, long lsn, long xid) {
        byte[] json = encoder.change("delete", key, names, old.values(), full ? selected : keyColumns, null, null,
                keyField, keyValue, lsn, offset.op(), xid);
        return new LogItem(offset, key, Operation.DELETE, json);
    }

    private int[] changedSelected(List<String> changedColumns) {
        List<Integer> out = new ArrayList<>();
        for (String c : changedColumns) {
            Integer i = positions.get(c);
            if (i != null && isSelected[i]) out.add(i);
        }
        return out.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /** The columns of {@code a} and {@code b} in table order, each once. */
    private int[] union(int[] a, int[] b) {
        boolean[] in = new boolean[names.size()];
        for (int i : a) in[i] = true;
        for (int i : b) in[i] = true;
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < in.length; i++) if (in[i]) out.add(i);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
