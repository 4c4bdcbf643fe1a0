package dev.ampere.shapes;

import dev.ampere.changes.Change;
import dev.ampere.changes.LogOffset;
import dev.ampere.changes.Relation;
import dev.ampere.changes.Row;
import dev.ampere.changes.TransactionFragment;
import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.RowKeys;
import dev.ampere.postgres.TableInfo;
import dev.ampere.shapecache.storage.LogItem;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Hand-built tables, shapes, changes and router facts for the shape unit tests: no database.
 *
 * <p>Changes are built the way the WAL side builds them ({@code dev.ampere.postgres.wal.ChangeConverter}): keys in the
 * Shape API format of docs/protocol.md §1.11, offsets {@code (commit LSN, 2 * index in the transaction)} (§1.6), and
 * an update's changed columns are those whose text differs between old and new row. The router facts (whether the
 * old row and the new row satisfy the where clause) are computed with the compiled where clause, exactly as the log
 * collector's router does: the code under test only acts on them.
 */
final class ShapeFixtures {
    private ShapeFixtures() {}

    static final int OID = 16384;

    /** {@code public.items(id int4 primary key, title text, n int4, body text)}. */
    static final TableInfo ITEMS = table("public", "items", OID, List.of("id"),
            "id:int4", "title:text", "n:int4", "body:text");

    /** A table from {@code name:type} specs (int4, int8, text, bool); {@code primaryKey} names its key in key order. */
    static TableInfo table(String schema, String name, int oid, List<String> primaryKey, String... specs) {
        List<ColumnInfo> cols = new ArrayList<>();
        for (int i = 0; i < specs.length; i++) {
            String[] p = specs[i].split(":");
            int typeOid = switch (p[1]) {
                case "int4" -> 23;
                case "int8" -> 20;
                case "text" -> 25;
                case "bool" -> 16;
                default -> throw new IllegalArgumentException(p[1]);
            };
            cols.add(new ColumnInfo(p[0], i + 1, typeOid, p[1], typeOid, 'b', 0, -1, primaryKey.contains(p[0]),
                    primaryKey.indexOf(p[0]), false));
        }
        return new TableInfo(schema, name, oid, cols, primaryKey, 'f', 'r');
    }

    /** The pgoutput Relation of a table as the replication stream would describe it. */
    static Relation relation(TableInfo t) {
        List<Relation.Column> cols = t.columns().stream()
                .map(c -> new Relation.Column(c.name(), c.typeOid(), c.typeMod(), true)).toList();
        return new Relation(t.oid(), t.schema(), t.name(), t.replicaIdentity(), cols);
    }

    static ShapeDefinition shape(TableInfo t, String where, List<String> columns, ShapeDefinition.Replica replica) {
        return ShapeDefinition.create(t, Optional.ofNullable(where), Map.of(), Optional.ofNullable(columns), replica,
                ShapeDefinition.LogMode.FULL);
    }

    static String[] row(String... values) {
        return values;
    }

    // ---- changes of one transaction ----

    /** Hands out the changes of one transaction with consecutive offsets {@code commitLsn_0, commitLsn_2, ...}. */
    static final class Tx {
        final TableInfo table;
        final Relation relation;
        final long commitLsn;
        final String prefix;
        final int[] keyColumns;
        private final int[] index;

        Tx(TableInfo table, long commitLsn) {
            this(table, commitLsn, new int[1]);
        }

        private Tx(TableInfo table, long commitLsn, int[] index) {
            this.table = table;
            this.relation = relation(table);
            this.commitLsn = commitLsn;
            this.prefix = RowKeys.prefix(table.schema(), table.name());
            this.keyColumns = table.primaryKey().stream().mapToInt(table::columnIndex).toArray();
            this.index = index;
        }

        /** Changes of another table in the same transaction: offsets continue from this one's. */
        Tx on(TableInfo other) {
            return new Tx(other, commitLsn, index);
        }

        private LogOffset next() {
            return LogOffset.of(commitLsn, 2L * index[0]++);
        }

        String key(String[] values) {
            return RowKeys.key(prefix, values, keyColumns);
        }

        Change.Insert insert(String... values) {
            return new Change.Insert(next(), relation, key(values), new Row(relation, values.clone()));
        }

        Change.Delete delete(String... old) {
            return new Change.Delete(next(), relation, key(old), new Row(relation, old.clone()));
        }

        /** An update with the whole old row (REPLICA IDENTITY FULL), TOAST already filled. */
        Change.Update update(String[] old, String[] values) {
            List<String> changed = new ArrayList<>();
            for (int i = 0; i < values.length; i++) {
                if (!Objects.equals(old[i], values[i])) changed.add(relation.columnNames().get(i));
            }
            String key = key(values);
            String oldKey = key(old);
            return new Change.Update(next(), relation, key, key.equals(oldKey) ? null : oldKey,
                    new Row(relation, old.clone()), new Row(relation, values.clone()), List.copyOf(changed));
        }

        /** An update without old data: the old row is the new one and every column counts as changed. */
        Change.Update updateWithoutOld(String... values) {
            Row r = new Row(relation, values.clone());
            return new Change.Update(next(), relation, key(values), null, r, r, relation.columnNames());
        }

        Change.Truncate truncate() {
            return new Change.Truncate(next(), relation, false, false);
        }
    }

    // ---- router facts ----

    /** Whether the row satisfies the shape's where clause (every row does without one). */
    static boolean in(ShapeDefinition shape, Row row) {
        return shape.where().map(w -> w.matches(row::value)).orElse(true);
    }

    /** The router's facts for one change: {@code {oldIn, newIn}}. */
    static boolean[] facts(ShapeDefinition shape, Change c) {
        return switch (c) {
            case Change.Insert i -> new boolean[]{false, in(shape, i.record())};
            case Change.Delete d -> new boolean[]{in(shape, d.oldRecord()), false};
            case Change.Update u -> new boolean[]{in(shape, u.oldRecord()), in(shape, u.record())};
            case Change.Truncate t -> new boolean[]{false, false};
        };
    }

    /**
     * The packed matches the router would send the shape for these changes: changes of the shape's table whose old
     * or new row is in the shape, and every truncate of the table; ascending positions.
     */
    static int[] matches(ShapeDefinition shape, List<Change> changes) {
        List<Integer> out = new ArrayList<>();
        for (int pos = 0; pos < changes.size(); pos++) {
            Change c = changes.get(pos);
            if (c.relation().id() != shape.table().oid()) continue;
            boolean[] f = facts(shape, c);
            if (f[0] || f[1] || c instanceof Change.Truncate) out.add(ConsumerMessages.match(pos, f[0], f[1]));
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    static TransactionFragment fragment(long xid, Tx tx, List<Change> changes, boolean first, boolean last) {
        return new TransactionFragment(xid, tx.commitLsn, last ? tx.commitLsn + 40 : 0, 0, changes, first, last);
    }

    // ---- assertions ----

    /** Byte for byte, with a readable diff on failure. */
    static void assertJson(String expected, byte[] actual) {
        assertEquals(expected, new String(actual, StandardCharsets.UTF_8));
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), actual);
    }

    /** JSON written with {@code '} for {@code "}, to keep expected messages readable ({@code \'} stays escaped). */
    static String j(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    static String json(LogItem item) {
        return new String(item.json(), StandardCharsets.UTF_8);
    }

    static List<String> jsons(List<LogItem> items) {
        return items.stream().map(ShapeFixtures::json).toList();
    }

    static List<String> offsets(List<LogItem> items) {
        return items.stream().map(i -> i.offset().toString()).toList();
    }
}
