package dev.ampere.where;

import java.util.List;

/**
 * The untyped syntax tree the {@link Parser} produces, before names and types are resolved by the {@link Binder}.
 * Every node keeps {@code pos}, the UTF-16 index in the user's text of the token Postgres would report for it.
 *
 * <p>Immutable records.
 */
sealed interface Ast {
    int pos();

    /** A literal: {@code kind} is INTEGER, DECIMAL, STRING, BOOL or NULL; {@code text} its value as text. */
    record Literal(LiteralKind kind, String text, int pos) implements Ast {}

    enum LiteralKind { INTEGER, DECIMAL, STRING, BOOL, NULL }

    record ColumnRef(List<String> path, int pos) implements Ast {}

    record Param(int number, int pos) implements Ast {}

    /** A prefix operator ({@code -}, {@code +}, {@code ~}, {@code |/}, {@code @}, ...). */
    record Prefix(String op, Ast arg, int pos) implements Ast {}

    /** A binary operator, including comparisons, {@code ||} and array operators. */
    record Binary(String op, Ast left, Ast right, int pos) implements Ast {}

    record And(Ast left, Ast right, int pos) implements Ast {}

    record Or(Ast left, Ast right, int pos) implements Ast {}

    record Not(Ast arg, int pos) implements Ast {}

    /** {@code x IS [NOT] NULL|TRUE|FALSE|UNKNOWN}. */
    record IsTest(Ast arg, String what, boolean negated, int pos) implements Ast {}

    record Distinct(Ast left, Ast right, boolean negated, int pos) implements Ast {}

    record Like(Ast arg, Ast pattern, Ast escape, boolean caseInsensitive, boolean negated, int pos) implements Ast {}

    record InList(Ast arg, List<Ast> items, boolean negated, int pos) implements Ast {}

    /**
     * {@code arg [NOT] IN (SELECT columns FROM table [WHERE where])}, Electric's sub-select form; {@code pos} is the
     * {@code IN} keyword ({@code NOT} for {@code NOT IN}), where Postgres locates the SubLink. {@code arg} is one expression, or a {@link Row} for a composite key
     * {@code (a, b) IN (SELECT x, y ...)}.
     */
    record InSubquery(Ast arg, Subselect select, boolean negated, int pos) implements Ast {}

    /** {@code (a, b, ...)}: read only as the left side of an {@link InSubquery}. */
    record Row(List<Ast> elements, int pos) implements Ast {}

    /**
     * The sub-select of an {@link InSubquery}: plain, unqualified column names, one table ({@code schema} null when
     * not written), and an optional where clause over that table (null when absent), itself possibly holding
     * sub-selects. {@code pos} is the {@code SELECT} keyword.
     */
    record Subselect(List<String> columns, String schema, String table, Ast where, int pos) {}

    record Between(Ast arg, Ast low, Ast high, boolean symmetric, boolean negated, int pos) implements Ast {}

    /** {@code left op ANY|ALL (array)}; {@code op} may be {@code ~~} / {@code ~~*} for LIKE / ILIKE. */
    record AnyAll(Ast left, String op, Ast array, boolean all, int pos) implements Ast {}

    record Cast(Ast arg, TypeName type, int pos) implements Ast {}

    record FuncCall(String name, List<Ast> args, boolean star, int pos) implements Ast {}

    record ArrayCtor(List<Ast> elements, int pos) implements Ast {}

    /** {@code arg[i]}, {@code arg[i:j]}; each subscript has lower (null unless a slice) and upper bounds. */
    record Subscript(Ast arg, List<Index> indices, int pos) implements Ast {}

    record Index(Ast lower, Ast upper, boolean slice) {}

    /** Syntax Postgres accepts but Ampere does not evaluate (sub-selects, CASE, row constructors...). */
    record Unsupported(String what, int pos) implements Ast {}

    /** A type name as written: {@code name} is the canonical Postgres name, {@code array} for {@code []}. */
    record TypeName(String name, boolean array, int pos) {}
}
