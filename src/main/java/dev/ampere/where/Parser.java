package dev.ampere.where;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Hand-written recursive-descent (precedence-climbing) parser for the where clause with Postgres's operator
 * precedence and associativity ({@code gram.y}): OR &lt; AND &lt; NOT &lt; IS &lt; comparisons (non-associative)
 * &lt; LIKE/IN/BETWEEN (non-associative) &lt; other operators &lt; {@code + -} &lt; {@code * / %} &lt; {@code ^}
 * &lt; AT &lt; COLLATE &lt; unary minus &lt; subscripts &lt; {@code ::}. Syntax errors carry Postgres's message and
 * token, located as Electric reports them ({@link Syntax}).
 *
 * <p>Not thread-safe; one instance per text via {@link #parse(String)}.
 */
final class Parser {
    private static final int OR = 1, AND = 2, NOT = 3, IS = 4, CMP = 5, LIKE = 6, ESCAPE = 7, OP = 8, ADD = 9,
            MUL = 10, EXP = 11, AT = 12, COLLATE = 13, UMINUS = 14, CAST = 17;

    private final String text;
    private final List<Token> tokens;
    /** Whether {@code x [NOT] IN (SELECT ...)} is read into {@link Ast.InSubquery} (where clauses) or refused. */
    private final boolean subselects;
    private int i;

    private Parser(String text, boolean subselects) {
        this.text = text;
        this.tokens = Lexer.tokenize(text);
        this.subselects = subselects;
    }

    /**
     * One whole where clause. {@code x [NOT] IN (SELECT cols FROM table [WHERE ...])} becomes an
     * {@link Ast.InSubquery} for the binder to judge; any other sub-select (EXISTS, ANY, scalar, or one with
     * joins, expressions or trailing clauses) still fails here with {@code subqueries are not supported}.
     */
    static Ast parse(String text) {
        Parser p = new Parser(text, true);
        Ast expr = p.expr(0);
        p.expectEndOfStatement();
        return expr;
    }

    /** A parser over {@code text} for callers that read something other than one whole expression ({@link OrderByClause}). */
    static Parser over(String text) {
        return new Parser(text, false);
    }

    private void expectEndOfStatement() {
        Token t = peek();
        if (t.kind() == Token.Kind.EOF) return;
        if (t.isPunct(";")) {
            while (peek().isPunct(";")) i++;
            if (peek().kind() == Token.Kind.EOF) return;
            throw WhereClauseException.plain("unescaped \";\" causing statement split");
        }
        if (Keywords.startsTrailingClause(t)) {
            i++;
            if ((t.isKeyword("order") || t.isKeyword("group")) && !peek().isKeyword("by")) throw syntaxError(peek());
            if (peek().isKeyword("by")) i++;
            if (peek().kind() == Token.Kind.EOF) throw syntaxError(peek());
            throw WhereClauseException.plain("malformed query ending with SQL clauses");
        }
        throw syntaxError(t);
    }

    // ---- token helpers

    private Token peek() {
        return tokens.get(i);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(i + ahead, tokens.size() - 1));
    }

    private Token advance() {
        return tokens.get(i++);
    }

    private boolean acceptKeyword(String kw) {
        if (peek().isKeyword(kw)) { i++; return true; }
        return false;
    }

    private Token expectPunct(String p) {
        if (!peek().isPunct(p)) throw syntaxError(peek());
        return advance();
    }

    private void expectKeyword(String kw) {
        if (!acceptKeyword(kw)) throw syntaxError(peek());
    }

    WhereClauseException syntaxError(Token t) {
        return Syntax.syntaxError(text, t);
    }

    private WhereClauseException unsupported(String what, int pos) {
        return new WhereClauseException(what, Syntax.semanticLocation(text, pos));
    }

    // ---- expressions

    Ast expr(int minPrec) {
        Ast left = prefix();
        int nonassoc = -1;
        while (true) {
            Token t = peek();
            int level = infixLevel(t);
            if (level < 0 || level < minPrec) return left;
            if (level == nonassoc) throw syntaxError(t);
            nonassoc = -1;
            if (level == CMP || level == OP) {
                if (isQuantifier(peek(1))) {
                    left = anyAll(left);
                    continue;
                }
                i++;
                left = new Ast.Binary(t.text(), left, expr(level + 1), t.start());
                if (level == CMP) nonassoc = CMP;
            } else if (level == ADD || level == MUL || level == EXP) {
                i++;
                left = new Ast.Binary(t.text(), left, expr(level + 1), t.start());
            } else if (level == OR) {
                i++;
                left = new Ast.Or(left, expr(AND), t.start());
            } else if (level == AND) {
                i++;
                left = new Ast.And(left, expr(NOT), t.start());
            } else if (level == IS) {
                left = isTest(left);
                if (left instanceof Ast.Distinct) nonassoc = IS;
            } else if (level == LIKE) {
                left = likeInBetween(left);
                if (!(left instanceof Ast.InList || left instanceof Ast.InSubquery)) nonassoc = LIKE; // IN chains, as in Postgres
            } else if (level == AT) {
                i += 3;
                left = new Ast.FuncCall("timezone", List.of(expr(AT + 1), left), false, t.start());
            } else if (level == COLLATE) {
                throw unsupported("COLLATE is not supported", t.start());
            } else if (level == CAST) {
                i++;
                left = new Ast.Cast(left, TypeNames.parse(this), t.start());
            }
        }
    }

    private int infixLevel(Token t) {
        switch (t.kind()) {
            case PUNCT -> {
                return switch (t.text()) {
                    case "<", ">", "=" -> CMP;
                    case "+", "-" -> ADD;
                    case "*", "/", "%" -> MUL;
                    case "^" -> EXP;
                    case "::" -> CAST;
                    default -> -1;
                };
            }
            case OP -> {
                return switch (t.text()) {
                    case "<=", ">=", "<>" -> CMP;
                    default -> OP;
                };
            }
            case IDENT -> {
                return switch (t.text()) {
                    case "or" -> OR;
                    case "and" -> AND;
                    case "is", "isnull", "notnull" -> IS;
                    case "like", "ilike", "similar", "in", "between" -> LIKE;
                    case "not" -> isLikeFamily(peek(1)) ? LIKE : -1;
                    case "at" -> peek(1).isKeyword("time") && peek(2).isKeyword("zone") ? AT : -1;
                    case "collate" -> COLLATE;
                    default -> -1;
                };
            }
            default -> {
                return -1;
            }
        }
    }

    private static boolean isLikeFamily(Token t) {
        return t.kind() == Token.Kind.IDENT && switch (t.text()) {
            case "like", "ilike", "similar", "in", "between" -> true;
            default -> false;
        };
    }

    private static boolean isQuantifier(Token t) {
        return t.isKeyword("any") || t.isKeyword("some") || t.isKeyword("all");
    }

    private Ast anyAll(Ast left) {
        Token op = advance();
        boolean all = advance().isKeyword("all");
        Ast array = parenthesised();
        return new Ast.AnyAll(left, op.text(), array, all, op.start());
    }

    private Ast parenthesised() {
        Token open = expectPunct("(");
        rejectSubquery(open);
        Ast e = expr(0);
        expectPunct(")");
        return e;
    }

    private void rejectSubquery(Token open) {
        Token t = peek();
        if (t.isKeyword("select") || t.isKeyword("with") || t.isKeyword("values")) {
            throw unsupported("subqueries are not supported", open.start());
        }
    }

    private Ast isTest(Ast left) {
        Token t = advance();
        if (t.isKeyword("isnull")) return new Ast.IsTest(left, "null", false, t.start());
        if (t.isKeyword("notnull")) return new Ast.IsTest(left, "null", true, t.start());
        boolean negated = acceptKeyword("not");
        Token what = advance();
        if (what.kind() == Token.Kind.IDENT) {
            switch (what.text()) {
                case "null", "true", "false", "unknown" -> {
                    return new Ast.IsTest(left, what.text(), negated, t.start());
                }
                case "distinct" -> {
                    expectKeyword("from");
                    return new Ast.Distinct(left, expr(IS + 1), negated, t.start());
                }
                default -> { }
            }
        }
        throw syntaxError(what);
    }

    private Ast likeInBetween(Ast left) {
        Token first = advance();
        boolean negated = first.isKeyword("not");
        Token kw = negated ? advance() : first;
        int pos = first.start();
        switch (kw.text()) {
            case "like", "ilike" -> {
                if (isQuantifier(peek())) {
                    boolean all = advance().isKeyword("all");
                    Ast array = parenthesised();
                    String op = (kw.text().equals("like") ? "~~" : "~~*");
                    Ast any = new Ast.AnyAll(left, negated ? "!" + op : op, array, all, pos);
                    return any;
                }
                Ast pattern = expr(ESCAPE);
                Ast escape = acceptKeyword("escape") ? expr(ESCAPE) : null;
                return new Ast.Like(left, pattern, escape, kw.text().equals("ilike"), negated, pos);
            }
            case "in" -> {
                Token open = expectPunct("(");
                if (subselects && peek().isKeyword("select")) {
                    // Located at IN (NOT for NOT IN), where Postgres's grammar puts the SubLink Electric reports.
                    return new Ast.InSubquery(left, subselect(open), negated, pos);
                }
                rejectSubquery(open);
                List<Ast> items = exprList(")");
                return new Ast.InList(left, items, negated, pos);
            }
            case "between" -> {
                boolean symmetric = acceptKeyword("symmetric");
                if (!symmetric) acceptKeyword("asymmetric");
                Ast low = expr(OP);
                expectKeyword("and");
                Ast high = expr(LIKE + 1);
                return new Ast.Between(left, low, high, symmetric, negated, pos);
            }
            default -> throw unsupported("SIMILAR TO is not supported", pos);
        }
    }

    /**
     * {@code SELECT col[, col...] FROM [schema.]table [WHERE expr] )} after the opening parenthesis {@code open};
     * anything else inside the parentheses is refused as today ({@code subqueries are not supported} at
     * {@code open}), so only the form Electric serves reaches the binder.
     */
    private Ast.Subselect subselect(Token open) {
        Token select = advance();
        List<String> columns = new ArrayList<>();
        do {
            Token c = advance();
            // Where Postgres's grammar has no way on, its syntax error; otherwise a form Ampere does not read.
            boolean first = columns.isEmpty();
            if (cannotContinue(c) && !(first && c.isPunct(")")) || (c.isKeyword("from") && !first)) {
                throw syntaxError(c); // (SELECT) alone is valid SQL: an empty select list
            }
            if (!isName(c) || c.isKeyword("from")) throw unsupported("subqueries are not supported", open.start());
            columns.add(c.text());
        } while (acceptPunct(","));
        if (!acceptKeyword("from")) throw unsupported("subqueries are not supported", open.start());
        Token first = advance();
        if (cannotContinue(first) || first.isKeyword("where")) throw syntaxError(first);
        if (!isName(first)) throw unsupported("subqueries are not supported", open.start());
        String schema = null;
        String table = first.text();
        if (acceptPunct(".")) {
            Token second = advance();
            if (cannotContinue(second)) throw syntaxError(second);
            if (!isName(second)) throw unsupported("subqueries are not supported", open.start());
            schema = table;
            table = second.text();
        }
        Ast where = acceptKeyword("where") ? expr(0) : null;
        if (!acceptPunct(")")) {
            Token t = peek();
            if (t.kind() == Token.Kind.EOF || (where != null && !SELECT_TAIL.contains(t.kind() == Token.Kind.IDENT
                    ? t.text() : ""))) {
                throw syntaxError(t);
            }
            throw unsupported("subqueries are not supported", open.start());
        }
        return new Ast.Subselect(List.copyOf(columns), schema, table, where, select.start());
    }

    /** Keywords that may follow a SELECT's WHERE condition in Postgres's grammar (clauses Ampere does not read). */
    private static final Set<String> SELECT_TAIL = Set.of("group", "having", "window", "order",
            "limit", "offset", "fetch", "for", "union", "intersect", "except");

    /** A token after which, where a name is due in a sub-select, Postgres's grammar has no way on. */
    private static boolean cannotContinue(Token t) {
        return t.kind() == Token.Kind.EOF || t.isPunct(")") || t.isPunct(",");
    }

    /** A plain name Postgres reads as a column or table name here (no reserved or type/function-name keyword). */
    private static boolean isName(Token t) {
        return Keywords.canNameColumn(t);
    }

    private List<Ast> exprList(String close) {
        List<Ast> items = new ArrayList<>();
        do {
            items.add(expr(0));
        } while (acceptPunct(","));
        expectPunct(close);
        return items;
    }

    private boolean acceptPunct(String p) {
        if (peek().isPunct(p)) { i++; return true; }
        return false;
    }

    private Ast prefix() {
        Token t = peek();
        if (t.isKeyword("not")) {
            i++;
            return new Ast.Not(expr(NOT), t.start());
        }
        if (t.isPunct("-") || t.isPunct("+")) {
            i++;
            return new Ast.Prefix(t.text(), expr(UMINUS), t.start());
        }
        if (t.kind() == Token.Kind.OP) {
            i++;
            return new Ast.Prefix(t.text(), expr(OP + 1), t.start());
        }
        return Primaries.parse(this);
    }

    // ---- accessors for the helper classes that parse primaries and type names

    Token peekToken() {
        return peek();
    }

    Token peekToken(int ahead) {
        return peek(ahead);
    }

    Token nextToken() {
        return advance();
    }

    boolean accept(String punct) {
        return acceptPunct(punct);
    }

    boolean acceptWord(String kw) {
        return acceptKeyword(kw);
    }

    void expect(String punct) {
        expectPunct(punct);
    }

    List<Ast> list(String close) {
        return exprList(close);
    }

    /** Whether this parser reads {@code IN (SELECT ...)} (where clauses) rather than refusing it (ORDER BY). */
    boolean readsSubselects() {
        return subselects;
    }

    /** Whether the next tokens are {@code [NOT] IN ( SELECT}. */
    boolean startsInSubselect() {
        int k = peek().isKeyword("not") ? 1 : 0;
        return peek(k).isKeyword("in") && peek(k + 1).isPunct("(") && peek(k + 2).isKeyword("select");
    }

    void noSubquery(Token open) {
        rejectSubquery(open);
    }

    WhereClauseException notSupported(String what, int pos) {
        return unsupported(what, pos);
    }
}
