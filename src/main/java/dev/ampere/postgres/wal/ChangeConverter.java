package dev.ampere.postgres.wal;
import dev.ampere.changes.Change;
import dev.ampere.changes.LogOffset;
import dev.ampere.changes.Relation;
import dev.ampere.changes.Row;
import dev.ampere.postgres.RowKeys;

import dev.ampere.postgres.pgoutput.PgOutputMessage;
import dev.ampere.postgres.pgoutput.TupleData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Turns decoded pgoutput row messages into {@link Change}s: keeps the relation cache (relation id → columns and
 * key positions), fills unchanged-TOAST values from the old row, computes changed columns and keys.
 *
 * <p>One converter per relation context: the live stream has one, and each replay of a spilled streamed
 * transaction has its own, fed from the Relation messages stored in the spill (so a later ALTER TABLE cannot change
 * how earlier changes are read). Not thread-safe.
 */
final class ChangeConverter {
    private static final Logger log = LoggerFactory.getLogger(ChangeConverter.class);

    private record Entry(Relation relation, String keyPrefix, int[] keyColumns) {}

    private final KeyColumnLookup keyLookup;
    private final Map<Integer, Entry> relations = new HashMap<>();

    ChangeConverter(KeyColumnLookup keyLookup) {
        this.keyLookup = keyLookup;
    }

    /** Records a Relation message and returns the model relation; the key lookup runs here. */
    Relation define(PgOutputMessage.Relation message) {
        List<Relation.Column> columns = new ArrayList<>(message.columns().size());
        for (PgOutputMessage.Relation.Column c : message.columns()) {
            columns.add(new Relation.Column(c.name(), c.typeOid(), c.typeMod(), c.key()));
        }
        Relation relation = new Relation(message.relationId(), message.schema(), message.table(),
                message.replicaIdentity(), columns);
        relations.put(relation.id(), new Entry(relation, RowKeys.prefix(relation.schema(), relation.table()),
                keyPositions(relation)));
        return relation;
    }

    private int[] keyPositions(Relation relation) {
        List<String> names = keyLookup.keyColumns(relation);
        try {
            return RowKeys.keyColumnPositions(relation, names == null ? List.of() : names);
        } catch (IllegalStateException e) {
            log.warn("key columns {} do not match {}; using all columns as the key", names, relation);
            return RowKeys.keyColumnPositions(relation, List.of());
        }
    }

    boolean knows(int relationId) {
        return relations.containsKey(relationId);
    }

    private Entry entry(int relationId) {
        Entry e = relations.get(relationId);
        if (e == null) throw new IllegalStateException("change for unknown relation " + relationId);
        return e;
    }

    /**
     * Converts one row message (Insert, Update, Delete or Truncate) and passes the resulting change(s) to
     * {@code out}; {@code offsets} hands out the next offset for each change. Other messages are ignored.
     */
    void convert(PgOutputMessage message, OffsetSource offsets, Consumer<Change> out) {
        switch (message) {
            case PgOutputMessage.Insert m -> {
                Entry e = entry(m.relationId());
                String[] values = m.newTuple().texts();
                out.accept(new Change.Insert(offsets.next(), e.relation, RowKeys.key(e.keyPrefix, values, e.keyColumns),
                        new Row(e.relation, values)));
            }
            case PgOutputMessage.Update m -> out.accept(update(m, offsets.next()));
            case PgOutputMessage.Delete m -> {
                Entry e = entry(m.relationId());
                String[] old = m.oldTuple().texts();
                out.accept(new Change.Delete(offsets.next(), e.relation, RowKeys.key(e.keyPrefix, old, e.keyColumns),
                        new Row(e.relation, old)));
            }
            case PgOutputMessage.Truncate m -> {
                for (int id : m.relationIds()) {
                    out.accept(new Change.Truncate(offsets.next(), entry(id).relation, m.cascade(), m.restartIdentity()));
                }
            }
            default -> { }
        }
    }

    private Change.Update update(PgOutputMessage.Update m, LogOffset offset) {
        Entry e = entry(m.relationId());
        TupleData oldTuple = m.oldTuple();
        String[] values = m.newTuple().texts();
        String[] old;
        if (oldTuple == null) {
            // No old data: REPLICA IDENTITY is not FULL and the key did not change; the old row is unknown.
            old = values;
        } else if (m.oldKind() == 'K') {
            // Only the old key was sent: the other columns' old values are unknown, assume them unchanged.
            old = values.clone();
            for (int i : e.keyColumns) old[i] = oldTuple.text(i);
        } else {
            old = oldTuple.texts();
        }
        if (m.newTuple().hasUnchangedToast()) fillUnchangedToast(m, e, values, old);
        List<String> changed;
        if (old == values) {
            // Without the old row nothing can be compared: report every column as changed so none is dropped.
            changed = e.relation.columnNames();
        } else {
            changed = new ArrayList<>();
            for (int i = 0; i < values.length; i++) {
                if (!Objects.equals(values[i], old[i])) changed.add(e.relation.columnNames().get(i));
            }
        }
        String key = RowKeys.key(e.keyPrefix, values, e.keyColumns);
        String oldKey = old == values ? null : RowKeys.key(e.keyPrefix, old, e.keyColumns);
        if (key.equals(oldKey)) oldKey = null;
        return new Change.Update(offset, e.relation, key, oldKey, new Row(e.relation, old), new Row(e.relation, values),
                List.copyOf(changed));
    }

    private static void fillUnchangedToast(PgOutputMessage.Update m, Entry e, String[] values, String[] old) {
        TupleData tuple = m.newTuple();
        for (int i = 0; i < values.length; i++) {
            if (tuple.kind(i) != TupleData.UNCHANGED_TOAST) continue;
            if (old == values) {
                log.error("update of {} has an unchanged TOAST value but no old row: set REPLICA IDENTITY FULL",
                        e.relation);
                continue;
            }
            values[i] = old[i];
        }
    }

    /** Hands out consecutive change offsets of one transaction. */
    interface OffsetSource {
        LogOffset next();
    }
}
