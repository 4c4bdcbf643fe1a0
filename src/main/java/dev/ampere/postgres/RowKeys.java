package dev.ampere.postgres;
import dev.ampere.changes.Relation;

import dev.ampere.postgres.TableInfo;

import java.util.List;

/**
 * Builds Shape API row keys (docs/protocol.md §1.11): {@code "<schema>"."<table>"} followed by {@code /"<value>"} per key
 * column in key order, with {@code /} inside a value doubled and a NULL part written as a bare {@code _}. Schema
 * and table are quoted the way the snapshot SQL quotes identifiers (embedded {@code "} doubled) so both paths
 * produce identical keys.
 *
 * <p>Stateless; thread-safe.
 */
public final class RowKeys {
    private RowKeys() {}

    /** The constant part of every key of a table. */
    public static String prefix(String schema, String table) {
        return TableInfo.quoteIdent(schema) + "." + TableInfo.quoteIdent(table);
    }

    /** The key of a row given its values and the positions of the key columns. */
    public static String key(String prefix, String[] values, int[] keyColumns) {
        StringBuilder sb = new StringBuilder(prefix.length() + 12 * keyColumns.length);
        sb.append(prefix);
        for (int i : keyColumns) {
            String v = values[i];
            if (v == null) {
                sb.append("/_");
                continue;
            }
            sb.append("/\"");
            if (v.indexOf('/') < 0) {
                sb.append(v);
            } else {
                for (int c = 0; c < v.length(); c++) {
                    char ch = v.charAt(c);
                    if (ch == '/') sb.append('/');
                    sb.append(ch);
                }
            }
            sb.append('"');
        }
        return sb.toString();
    }

    /** Positions of the named key columns; all columns when {@code names} is empty. */
    public static int[] keyColumnPositions(Relation relation, List<String> names) {
        if (names.isEmpty()) {
            int[] all = new int[relation.columns().size()];
            for (int i = 0; i < all.length; i++) all[i] = i;
            return all;
        }
        int[] positions = new int[names.size()];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = relation.columnIndex(names.get(i));
            if (positions[i] < 0) {
                throw new IllegalStateException("key column " + names.get(i) + " is not in " + relation);
            }
        }
        return positions;
    }
}
