package dev.ampere.where;

import dev.ampere.postgres.TableInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code order_by} of a subset snapshot (docs/protocol.md §1.3): a comma-separated list of sort items, each a plain
 * column reference of the table (or an integer position in the shape's columns) with optional {@code ASC}/{@code DESC}
 * and {@code NULLS FIRST}/{@code NULLS LAST}. Anything else (function calls, casts, operators, {@code $n}, subqueries)
 * is refused with Electric's message. Locations follow Electric, which parses {@code SELECT 1 ORDER BY <text>} and
 * reports offsets into that whole statement: 18 plus the offset in the user's text.
 *
 * <p>{@link #toSql()} is regenerated from the parsed items (quoted identifiers, keywords), never the user's text.
 *
 * <p>Immutable and thread-safe once built.
 */
public final class OrderByClause {
    /** Electric's wrapper {@code SELECT 1 ORDER BY } is 3 characters longer than the where clause's {@code SELECT 1 WHERE }. */
    private static final String PAD = " ".repeat("SELECT 1 ORDER BY ".length() - Syntax.PREFIX_LENGTH);

    private final String sql;

    private OrderByClause(String sql) {
        this.sql = sql;
    }

    /**
     * Parses and checks {@code text} against {@code table}.
     *
     * @param selectedColumns how many columns the query selects (the bound of a positional item such as {@code 1})
     * @throws WhereClauseException with Electric's message (field {@code order_by} is the caller's to report)
     */
    public static OrderByClause parse(String text, TableInfo table, int selectedColumns) {
        String padded = PAD + text;
        Parser p = Parser.over(padded);
        List<String> items = new ArrayList<>();
        try {
            do {
                Ast e = p.expr(0);
                StringBuilder item = new StringBuilder(target(e, padded, table, selectedColumns));
                if (p.acceptWord("asc")) {
                    item.append(" ASC");
                } else if (p.acceptWord("desc")) {
                    item.append(" DESC");
                } else if (p.peekToken().isKeyword("using")) {
                    Token using = p.nextToken();
                    Token op = p.nextToken();
                    if (!op.isPunct("<") && !op.isPunct(">")) {
                        throw new WhereClauseException("operator " + op.raw() + " is not a valid ordering operator",
                                location(padded, using.start()));
                    }
                    item.append(" USING ").append(op.text());
                }
                if (p.acceptWord("nulls")) {
                    if (p.acceptWord("first")) item.append(" NULLS FIRST");
                    else if (p.acceptWord("last")) item.append(" NULLS LAST");
                    else throw p.syntaxError(p.peekToken());
                }
                items.add(item.toString());
            } while (p.accept(","));
        } catch (WhereClauseException e) {
            throw rephrase(e);
        }
        Token end = p.peekToken();
        if (end.isPunct(";")) {
            while (p.peekToken().isPunct(";")) p.nextToken();
            if (p.peekToken().kind() != Token.Kind.EOF) throw WhereClauseException.plain("Unexpected `;` in order by");
        } else if (end.kind() != Token.Kind.EOF) {
            throw p.syntaxError(end);
        }
        return new OrderByClause(String.join(", ", items));
    }

    /** The items as SQL for {@code ORDER BY}. */
    public String toSql() {
        return sql;
    }

    @Override
    public String toString() {
        return sql;
    }

    private static String target(Ast e, String padded, TableInfo table, int selectedColumns) {
        switch (e) {
            case Ast.ColumnRef c -> {
                String name = String.join(".", c.path());
                if (c.path().size() != 1 || table.columnIndex(c.path().getFirst()) < 0) {
                    throw new WhereClauseException("unknown reference " + name, location(padded, c.pos()));
                }
                return TableInfo.quoteIdent(c.path().getFirst());
            }
            case Ast.Param param -> throw new WhereClauseException("parameter $" + param.number()
                    + " is not supported in ORDER BY clauses", location(padded, param.pos()));
            case Ast.Literal l when l.kind() == Ast.LiteralKind.INTEGER -> {
                // A constant position, Electric's tie-breaker form: Postgres reads it as the n-th selected column.
                long n;
                try {
                    n = Long.parseLong(l.text());
                } catch (NumberFormatException ex) {
                    n = -1;
                }
                if (n < 1 || n > selectedColumns) {
                    throw new WhereClauseException("ORDER BY position " + l.text() + " is not in select list",
                            location(padded, l.pos()));
                }
                return Long.toString(n);
            }
            case Ast.Literal l -> throw new WhereClauseException("non-integer constant in ORDER BY",
                    location(padded, l.pos()));
            default -> throw new WhereClauseException(nodeName(e) + " expressions are not allowed in ORDER BY clauses",
                    location(padded, e.pos()));
        }
    }

    /** The libpg_query node name Electric's message uses for an expression it refuses. */
    private static String nodeName(Ast e) {
        return switch (e) {
            case Ast.FuncCall f -> "FuncCall";
            case Ast.Cast c -> "TypeCast";
            case Ast.And a -> "BoolExpr";
            case Ast.Or o -> "BoolExpr";
            case Ast.Not n -> "BoolExpr";
            case Ast.IsTest t -> t.what().equals("null") ? "NullTest" : "BooleanTest";
            case Ast.ArrayCtor a -> "A_ArrayExpr";
            case Ast.Subscript s -> "A_Indirection";
            default -> "A_Expr";
        };
    }

    /** Semantic errors of the expression parser, in the words Electric's ORDER BY check uses. */
    private static WhereClauseException rephrase(WhereClauseException e) {
        String node = switch (e.reason()) {
            case "subqueries are not supported" -> "SubLink";
            case "CASE expressions are not supported" -> "CaseExpr";
            case "COLLATE is not supported" -> "CollateClause";
            case "row expressions are not supported" -> "RowExpr";
            default -> null;
        };
        if (node == null || e.location() < 0) return e;
        return new WhereClauseException(node + " expressions are not allowed in ORDER BY clauses",
                Syntax.PREFIX_LENGTH + e.location());
    }

    /** Electric's location of a node at {@code utf16Index} of the padded text: an offset into {@code SELECT 1 ORDER BY …}. */
    private static int location(String padded, int utf16Index) {
        return Syntax.PREFIX_LENGTH + padded.codePointCount(0, Math.min(utf16Index, padded.length()));
    }
}
