package dev.ampere.shapes;

import dev.ampere.postgres.TableInfo;
import dev.ampere.process.ProcessRef;
import dev.ampere.where.WhereClause;

/**
 * A shape's consumer as the log collector routes to it: the handle, the table (by OID, as pgoutput's relation
 * ids are table OIDs), the compiled where clause ({@code null} for every row) and the consumer process.
 *
 * <p>Immutable.
 */
public record ShapeSubscription(String handle, TableInfo table, WhereClause where, ProcessRef consumer) {}
