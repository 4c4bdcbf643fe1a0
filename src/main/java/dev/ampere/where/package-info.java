/**
 * The where-clause engine (docs/protocol.md §2.1, §2.2): parsing with Postgres's grammar and error text, type checking
 * against a table, evaluation with Postgres semantics on rows in text format, compilation to closures, SQL
 * regeneration, and (in {@code index}) the per-table shape filter.
 *
 * <p>Entry point: {@link dev.ampere.where.WhereClause#parse(String, dev.ampere.postgres.TableInfo, java.util.Map)}
 * gives an immutable, thread-safe {@link dev.ampere.where.WhereClause} with {@code includes(RowValues)} (hot path,
 * bounded by a per-evaluation cost budget; throws where Postgres would) and {@code matches} (errors as false),
 * {@code evaluate}/{@code interpret} (three-valued), {@code toSql()}/{@code canonical()} and
 * {@code referencedColumns()}. Invalid input raises {@link dev.ampere.where.WhereClauseException} whose message is
 * what Electric puts in {@code errors.where} (or {@code errors.params}, see {@code field()}).
 *
 * <p>Pipeline: {@code Lexer} → {@code Parser} ({@code Ast}) → {@code Binder} ({@code Expr}, typed) →
 * {@code Simplifier} (planner-style constant folding) → {@code Compiler} (closures) / {@code Interpreter} (tree
 * walk) / {@code SqlRenderer} (SQL text).
 *
 * <p>Known differences from Postgres, all documented where they live: text orders by code point (the {@code C} /
 * {@code C.UTF-8} collations); numeric NaN/Infinity, BC dates, time zone abbreviations and POSIX zone offsets do
 * not parse (a changed row with one ends a shape whose clause reads it); {@code bpchar} is compared as {@code text}; SIMILAR TO, CASE, row
 * expressions and sub-selects are rejected with a clear message.
 */
package dev.ampere.where;
