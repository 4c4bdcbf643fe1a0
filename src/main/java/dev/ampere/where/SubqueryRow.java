package dev.ampere.where;

import java.util.ArrayList;
import java.util.List;

/**
 * A row together with the current values of the clause's sub-selects: what {@link Expr.InSubquery} nodes read. The
 * other nodes see only the row.
 *
 * <p>Immutable; as thread-safe as the row and the values it wraps.
 */
record SubqueryRow(RowValues row, SubqueryValues values) implements RowValues {
    @Override
    public String text(int columnIndex) {
        return row.text(columnIndex);
    }

    /** {@code args IN (sub-select index)} on {@code row}, which must carry the sub-selects' values. */
    static Boolean member(RowValues row, int index, Object[] args) {
        if (!(row instanceof SubqueryRow s)) {
            throw new IllegalStateException("a sub-select was evaluated without the values it selects");
        }
        List<Object> key = new ArrayList<>(args.length);
        for (Object a : args) key.add(a == null ? null : SubqueryValues.normalise(a));
        return SubqueryValues.member(s.values, index, key);
    }
}
