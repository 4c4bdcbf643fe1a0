package dev.ampere.shapes;

import dev.ampere.changes.Change;
import dev.ampere.where.WhereClause;

/**
 * Judges the changes routed to a shape whose where clause filters through sub-selects (docs/protocol.md,
 * "Sub-selects"). The router only knew a routing clause that admits every row the shape could need; this judge
 * keeps the sub-selects' current values ({@link SubqueryValueSets}) and decides, change by change in stream order:
 * a change of a sub-select's table updates the values, and when the distinct values of a set change the shape's
 * rows may move in or out without a change of their own, which this version answers by ending the shape (its
 * clients refetch it, 409); a change of the shape's own table gets the facts the router gives other shapes (whether
 * its old and its new row satisfy the whole clause). A table used both ways gets both.
 *
 * <p>Not thread-safe: owned by the shape's consumer, through its {@link TransactionLog}.
 */
final class SubqueryJudge {
    /** The change moved a sub-select's values. */
    static final int MOVED = -1;
    /** The change is not of the shape's own table and moved nothing. */
    static final int NOT_OWN = -2;
    static final int OLD_IN = 2;
    static final int NEW_IN = 1;

    private final WhereClause where;
    private final int tableOid;
    private final SubqueryValueSets values;

    SubqueryJudge(WhereClause where, int tableOid, SubqueryValueSets values) {
        this.where = where;
        this.tableOid = tableOid;
        this.values = values;
    }

    /**
     * {@link #MOVED}, {@link #NOT_OWN}, or the facts as {@link #OLD_IN} | {@link #NEW_IN} bits.
     *
     * @throws RuntimeException when the where clause (or a sub-select's) cannot be evaluated on the change's rows
     */
    int judge(Change change) {
        if (values.apply(change)) return MOVED;
        if (change.relation().id() != tableOid) return NOT_OWN;
        return switch (change) {
            case Change.Insert i -> where.includes(i.record()::value, values) ? NEW_IN : 0;
            case Change.Delete d -> where.includes(d.oldRecord()::value, values) ? OLD_IN : 0;
            case Change.Update u -> (where.includes(u.oldRecord()::value, values) ? OLD_IN : 0)
                    | (where.includes(u.record()::value, values) ? NEW_IN : 0);
            case Change.Truncate t -> 0;
        };
    }
}
