package dev.ampere.where;

/**
 * A runtime error while evaluating a where clause on one row: integer overflow, division by zero, a column value
 * that does not parse. Postgres would raise an error; a shape whose clause raises it on a change ends. Carries no stack
 * trace because it is part of normal control flow on the hot path.
 *
 * <p>Immutable.
 */
public class EvalException extends RuntimeException {
    public EvalException(String message) {
        super(message, null, false, false);
    }
}
