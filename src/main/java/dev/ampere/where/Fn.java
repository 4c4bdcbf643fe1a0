package dev.ampere.where;

/**
 * Function implementations used by the typed tree, by arity; arguments are never SQL NULL when the function is
 * strict. Part of the evaluator; implementations are stateless and thread-safe.
 */
final class Fn {
    private Fn() {}

    @FunctionalInterface
    interface F1 {
        Object apply(Object a);
    }

    @FunctionalInterface
    interface F2 {
        Object apply(Object a, Object b);
    }

    @FunctionalInterface
    interface FN {
        Object apply(Object[] args);
    }
}
