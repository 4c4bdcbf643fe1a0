package dev.ampere.replication;

/**
 * Whether a change of the shape's table can affect the shape (for an update, either the old or the new row may
 * match). Implementations are compiled where clauses; they must be cheap and side-effect free. A shape without a
 * where clause matches every change of its table.
 */
@FunctionalInterface
public interface ShapeMatcher {
    ShapeMatcher ALL = change -> true;

    boolean mayAffect(Change change);
}
