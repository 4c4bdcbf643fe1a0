package dev.ampere.shapes;

import dev.ampere.postgres.TableInfo;
import dev.ampere.process.ProcessRef;
import dev.ampere.where.Subquery;
import dev.ampere.where.WhereClause;

import java.util.ArrayList;
import java.util.List;

/**
 * A shape's consumer as the log collector routes to it: the handle, the table (by OID, as pgoutput's relation
 * ids are table OIDs), the compiled where clause ({@code null} for every row) and the consumer process. A shape whose
 * where clause has sub-selects is also routed the changes of the sub-selects' tables ({@code dependencies}), and
 * its clauses are routing clauses ({@link WhereClause#routingClause()}): they admit every row the shape could need,
 * and the consumer, which keeps the sub-selects' values, judges the rows itself.
 *
 * <p>Immutable.
 */
public record ShapeSubscription(String handle, TableInfo table, WhereClause where, ProcessRef consumer,
                                List<Route> dependencies) {

    /** Changes of {@code table} that satisfy {@code where} (null: every change) go to the shape too. */
    public record Route(TableInfo table, WhereClause where) {}

    public ShapeSubscription {
        dependencies = List.copyOf(dependencies);
    }

    public ShapeSubscription(String handle, TableInfo table, WhereClause where, ProcessRef consumer) {
        this(handle, table, where, consumer, List.of());
    }

    /** The subscription of a shape: a plain where clause as it is, one with sub-selects as routing clauses. */
    public static ShapeSubscription of(String handle, ShapeDefinition d, ProcessRef consumer) {
        WhereClause where = d.where().orElse(null);
        if (where == null || !where.hasSubqueries()) return new ShapeSubscription(handle, d.table(), where, consumer);
        return withRoutes(handle, d, consumer, where.routingClause());
    }

    /** The most values of one sub-select that narrowed routing lists; beyond them the routing clause stays broad. */
    static final int MAX_ROUTED_VALUES = 10_000;

    /**
     * The subscription of a shape with sub-selects whose current values are {@code values}: its own table routed by
     * those values ({@link WhereClause#routingClause(dev.ampere.where.SubqueryValues, int)}).
     */
    static ShapeSubscription of(String handle, ShapeDefinition d, ProcessRef consumer, SubqueryValueSets values) {
        return withRoutes(handle, d, consumer, d.where().orElseThrow().routingClause(values, MAX_ROUTED_VALUES));
    }

    /** Routed by {@code own} on the shape's table and by each sub-select's own clause on that sub-select's table. */
    private static ShapeSubscription withRoutes(String handle, ShapeDefinition d, ProcessRef consumer, WhereClause own) {
        List<Route> routes = new ArrayList<>();
        addRoutes(d.where().orElseThrow(), routes);
        return new ShapeSubscription(handle, d.table(), own, consumer, routes);
    }

    private static void addRoutes(WhereClause where, List<Route> out) {
        for (Subquery q : where.subqueries()) {
            out.add(new Route(q.table(), q.where().map(WhereClause::routingClause).orElse(null)));
            q.where().ifPresent(inner -> addRoutes(inner, out));
        }
    }
}
