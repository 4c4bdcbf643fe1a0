package dev.ampere.where;

import java.util.List;

/**
 * The typed expression tree the {@link Binder} produces: names resolved to column positions, every node typed,
 * implicit casts explicit, operators and functions bound to their implementations. It is what the
 * {@link Compiler} turns into closures, what the {@link Interpreter} walks and what {@link SqlRenderer} prints.
 *
 * <p>Immutable records.
 */
sealed interface Expr {
    SqlType type();

    /** A constant; {@code value} null for NULL. {@code param} is the {@code $n} it came from, or 0. */
    record Const(Object value, SqlType type, int param) implements Expr {}

    /** A column of the row: {@code index} is its position in {@code TableInfo.columns()}. */
    record Column(int index, String name, SqlType type) implements Expr {}

    /**
     * A function or operator call; {@code fn} is an {@link Fn.F1}, {@link Fn.F2} or {@link Fn.FN}. Strict calls
     * give NULL for any NULL argument (after evaluating all arguments, as Postgres does); non-strict ones (array
     * concatenation) receive the NULLs.
     */
    record Call(String name, Form form, Object fn, List<Expr> args, SqlType type, boolean strict) implements Expr {
        /** Compact: a compiled clause lives as long as its shape, so it holds no parse-time copies. */
        public Call {
            name = name.intern(); // an operator or function name: a small fixed set, shared by every clause
            if (args.stream().allMatch(java.util.Objects::nonNull)) args = List.copyOf(args);
        }
    }

    enum Form { PREFIX, INFIX, FUNCTION }

    /** Non-strict {@code concat(...)}: NULL arguments are skipped, others printed with their output function. */
    record Concat(List<Expr> args) implements Expr {
        public SqlType type() {
            return SqlType.TEXT;
        }
    }

    record Cast(Expr arg, Fn.F1 fn, SqlType type) implements Expr {}

    /** A value printed with its output function, as {@code text || x} does; rendered as just {@code arg}. */
    record TextOut(Expr arg) implements Expr {
        public SqlType type() {
            return SqlType.TEXT;
        }
    }

    record And(List<Expr> args) implements Expr {
        public SqlType type() {
            return SqlType.BOOL;
        }
    }

    record Or(List<Expr> args) implements Expr {
        public SqlType type() {
            return SqlType.BOOL;
        }
    }

    record Not(Expr arg) implements Expr {
        public SqlType type() {
            return SqlType.BOOL;
        }
    }

    record IsNull(Expr arg, boolean negated) implements Expr {
        public SqlType type() {
            return SqlType.BOOL;
        }
    }

    /** {@code IS [NOT] TRUE|FALSE|UNKNOWN}: {@code value} null means UNKNOWN. */
    record IsBool(Expr arg, Boolean value, boolean negated) implements Expr {
        public SqlType type() {
            return SqlType.BOOL;
        }
    }

    record Distinct(Expr left, Expr right, Fn.F2 eq, boolean negated) implements Expr {
        public SqlType type() {
            return SqlType.BOOL;
        }
    }

    /** {@code arg [NOT] IN (items)}: three-valued OR of {@code arg = item}. */
    record InList(Expr arg, List<Expr> items, Fn.F2 eq, boolean negated) implements Expr {
        public SqlType type() {
            return SqlType.BOOL;
        }
    }

    /**
     * {@code args [NOT] IN (SELECT ...)}: whether the values of {@code args} are among the current values of
     * sub-select {@code index} of the clause ({@link WhereClause#subqueries()}), which the evaluating shape supplies
     * ({@link SubqueryValues}); three-valued as SQL's IN.
     */
    record InSubquery(List<Expr> args, int index, Subquery subquery, boolean negated) implements Expr {
        public SqlType type() {
            return SqlType.BOOL;
        }
    }

    /** {@code left op ANY|ALL (array)}, three-valued over the elements. */
    record AnyAll(Expr left, String op, Expr array, Fn.F2 fn, boolean all) implements Expr {
        public SqlType type() {
            return SqlType.BOOL;
        }
    }

    /** COALESCE, GREATEST, LEAST, NULLIF: non-strict. {@code cmp} orders for GREATEST/LEAST, tests for NULLIF. */
    record Special(String name, List<Expr> args, SqlType type) implements Expr {}

    record ArrayCtor(List<Expr> elements, SqlType type) implements Expr {}

    /** {@code array[i]...} or a slice {@code array[l:u]...}; null bounds of a slice mean "to the end". */
    record Subscript(Expr array, List<Expr> lower, List<Expr> upper, boolean slice, SqlType type) implements Expr {}

    /** {@code [NOT] LIKE|ILIKE pattern [ESCAPE e]}. */
    record Like(Expr arg, Expr pattern, Expr escape, boolean caseInsensitive, boolean negated) implements Expr {
        public SqlType type() {
            return SqlType.BOOL;
        }
    }
}
