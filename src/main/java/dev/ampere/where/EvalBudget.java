package dev.ampere.where;

/**
 * The cost budget of one where-clause evaluation: operators whose work grows with their inputs (LIKE and ILIKE,
 * array containment and overlap, ANY/ALL over an array) charge the comparisons they make, and an evaluation that
 * goes over {@link #STEPS} fails with {@link CostExceeded}. The operators are linear in each input (LIKE is
 * O(pattern × text) with a constant pattern, containment O(elements × elements)), so the budget only bites on
 * inputs that are huge or hostile; it keeps one shape's predicate from holding the thread that evaluates it.
 *
 * <p>Every entry point of {@link WhereClause} that can reach a charging operator (evaluation of a clause that holds
 * one, and parsing, whose constant folding evaluates) opens a fresh budget with {@link #open} and restores a full
 * one when it is done, so a thread never carries a spent budget into its next evaluation. Operators count locally
 * and charge only calls of at least {@link #SMALL} steps (smaller ones are linear in the row), in chunks of
 * {@link #CHUNK}: the counter costs a thread-local read per costly call, not per comparison.
 *
 * <p>Threading: the counter is per thread (a thread-local), and an evaluation runs on one thread.
 */
final class EvalBudget {
    /** Comparisons one evaluation may make: about 50-100 ms of matching. */
    static final long STEPS = 50_000_000L;

    /** How many steps operators count locally before charging them. */
    static final int CHUNK = 1 << 16;

    /** Calls of fewer steps than this are not charged. */
    static final int SMALL = 1 << 10;

    /** Per thread: what the current evaluation has left, and what the last one spent. */
    private static final ThreadLocal<long[]> LEFT = ThreadLocal.withInitial(() -> new long[]{STEPS, 0});

    private EvalBudget() {}

    /** Starts an evaluation (or a parse) with {@code steps} to spend; hand the result to {@link #close}. */
    static long[] open(long steps) {
        long[] left = LEFT.get();
        left[0] = steps;
        return left;
    }

    /** Ends an evaluation: the thread's next one starts with a full budget even if it does not open one. */
    static void close(long[] opened) {
        opened[1] = STEPS - opened[0];
        opened[0] = STEPS;
    }

    /** What the thread's last closed evaluation spent (tests measure the work of operators with it). */
    static long lastSpent() {
        return LEFT.get()[1];
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
