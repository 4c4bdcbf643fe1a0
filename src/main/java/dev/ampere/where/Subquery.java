package dev.ampere.where;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.ampere.postgres.TableInfo;

/**
 * One sub-select of a where clause, {@code (SELECT columns FROM table [WHERE where])}, bound against its table: what
 * a shape must keep the current values of to evaluate {@code x IN (SELECT ...)} on a change (docs/protocol.md,
 * "Sub-selects"). {@code where} is itself a compiled clause over {@code table}, which may hold sub-selects of its
 * own. {@code columnIndexes} are the selected columns' positions in {@code table.columns()}.
 *
 * <p>Immutable.
 */
public record Subquery(TableInfo table, List<String> columns, int[] columnIndexes, List<SqlType> types,
                       Optional<WhereClause> where) {

    /** The values one row of {@code table} contributes: its selected columns as hash keys (null for NULL). */
    public List<Object> key(RowValues row) {
        List<Object> out = new ArrayList<>(columnIndexes.length);
        for (int i = 0; i < columnIndexes.length; i++) {
            String text = row.text(columnIndexes[i]);
            out.add(text == null ? null : SubqueryValues.normalise(Values.parse(types.get(i), text)));
        }
        return out;
    }

    /** The sub-select as SQL, with its where clause regenerated (never the user's text). */
    public String selectSql() {
        return "SELECT " + String.join(", ", columns.stream().map(TableInfo::quoteIdent).toList()) + " FROM "
                + table.quotedName() + where.map(w -> " WHERE " + w.toSql()).orElse("");
    }

    /** Whether the row satisfies the sub-select's where clause, given the current values of its own sub-selects. */
    public boolean includes(RowValues row, SubqueryValues nested) {
        return where.isEmpty() || where.get().includes(row, nested);
    }
}
