package dev.ampere.where;

/**
 * The cost budget of one where-clause evaluation: operators whose work grows with their inputs (LIKE and ILIKE,
 * array containment and overlap, ANY/ALL over an array) charge the comparisons they make, and an evaluation that
 * goes over {@link #STEPS} fails with {@link CostExceeded}. The operators are linear in each input (LIKE is
 * O(pattern × text) with a constant pattern, containment O(elements × elements)), so the budget only bites on
 * inputs that are huge or hostile; it keeps one shape's predicate from holding the thread that evaluates it.
 *
 * <p>Every entry point of {@link WhereClause} (evaluation and parsing, whose constant folding evaluates too) opens
 * a fresh budget with {@link #open}. Operators charge in chunks, so the counter costs one thread-local read per
 * operator call, not per comparison.
 *
 * <p>Threading: the counter is per thread (a thread-local), and an evaluation runs on one thread.
 */
final class EvalBudget {
    /** Comparisons one evaluation may make: about 50-100 ms of matching. */
    static final long STEPS = 50_000_000L;

    /** How many steps operators count locally before charging them. */
    static final int CHUNK = 1 << 16;

    private static final ThreadLocal<long[]> LEFT = ThreadLocal.withInitial(() -> new long[]{STEPS});

    private EvalBudget() {}

    /** Starts an evaluation (or a parse) with {@code steps} to spend. */
    static void open(long steps) {
        LEFT.get()[0] = steps;
    }

    /** What the current evaluation has left (tests measure the work of an evaluation with it). */
    static long left() {
        return LEFT.get()[0];
    }

    /** Spends {@code steps}; throws once the evaluation has spent more than its budget. */
    static void charge(long steps) {
        long[] left = LEFT.get();
        if ((left[0] -= steps) < 0) throw new CostExceeded();
    }

    /** The evaluation went over its budget: a row or clause too costly to evaluate, not a Postgres error. */
    static final class CostExceeded extends EvalException {
        CostExceeded() {
            super("the where clause exceeded its evaluation budget of " + STEPS + " steps on this row");
        }
    }
}
