package dev.ampere.shapes;

import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.TableInfo;
import dev.ampere.changes.Change;
import dev.ampere.changes.LogOffset;
import dev.ampere.changes.Row;
import dev.ampere.shapecache.storage.LogItem;
import dev.ampere.shapecache.storage.Operation;
import dev.ampere.where.WhereClause;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns the changes of a shape's table into the shape's log items (PROTOCOL.md §1.12): where-clause moves (an update
 * leaving the shape is a delete, one entering it an insert with the full row), column projection, replica modes
 * ({@code default}: key plus changed columns; {@code full}: the whole row plus {@code old_value}), updates with no
 * visible change dropped, and a primary-key change split into a delete at {@code op} and an insert at
 * {@code op + 1}. Rows are aligned with the table's columns; the consumer checks that the replicated relation still
 * matches the shape's table before it converts anything.
 *
 * <p>Not thread-safe: owned by the shape's consumer.
 */
final class ShapeChangeConverter {
    private final ShapeDefinition shape;
    private final Optional<WhereClause> where;
    private final LogItemEncoder encoder;
    private final List<String> names;
    private final java.util.Map<String, Integer> positions = new java.util.HashMap<>();
    private final int[] selected;
    private final boolean[] isSelected;
    private final int[] keyColumns;
    private final boolean full;

    ShapeChangeConverter(ShapeDefinition shape) {
        this.shape = shape;
        this.where = shape.where();
        TableInfo table = shape.table();
        this.encoder = new LogItemEncoder(table);
        this.names = table.columns().stream().map(ColumnInfo::name).toList();
        for (int i = 0; i < names.size(); i++) positions.put(names.get(i), i);
        this.selected = shape.columns().stream().mapToInt(table::columnIndex).toArray();
        this.isSelected = new boolean[names.size()];
        for (int i : selected) isSelected[i] = true;
        this.keyColumns = table.primaryKey().stream().mapToInt(table::columnIndex).toArray();
        this.full = shape.replica() == ShapeDefinition.Replica.FULL;
    }

    /** True when the change belongs to this shape's table. */
    boolean isForTable(Change change) {
        return change.relation().schema().equals(shape.table().schema())
                && change.relation().table().equals(shape.table().name());
    }

    /** Appends the log items {@code change} produces for the shape (no {@code last} marks). */
    void convert(Change change, long commitLsn, long xid, List<LogItem> out) {
        switch (change) {
            case Change.Insert i -> {
                if (matches(i.record())) out.add(insert(i.offset(), i.key(), i.record(), null, null, commitLsn, xid));
            }
            case Change.Delete d -> {
                if (matches(d.oldRecord())) out.add(delete(d.offset(), d.key(), d.oldRecord(), null, null, commitLsn, xid));
            }
            case Change.Update u -> convertUpdate(u, commitLsn, xid, out);
            case Change.Truncate t -> throw new IllegalArgumentException("a truncate invalidates the shape");
        }
    }

    private void convertUpdate(Change.Update u, long commitLsn, long xid, List<LogItem> out) {
        boolean oldIn = matches(u.oldRecord());
        boolean newIn = matches(u.record());
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

    private boolean matches(Row row) {
        return where.isEmpty() || where.get().matches(row::value);
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
