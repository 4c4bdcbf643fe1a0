package dev.ampere.where;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses primary expressions ({@code c_expr} and {@code AexprConst} in Postgres's grammar): literals, typed
 * literals ({@code date '…'}), column references, {@code $n}, function calls, {@code CAST}, {@code ARRAY[…]},
 * parenthesised expressions and subscripts. Part of the {@link Parser}.
 *
 * <p>Stateless; works on the parser it is given.
 */
final class Primaries {
    private Primaries() {}

    static Ast parse(Parser p) {
        Token t = p.peekToken();
        switch (t.kind()) {
            case INTEGER -> {
                p.nextToken();
                return new Ast.Literal(Ast.LiteralKind.INTEGER, t.text(), t.start());
            }
            case DECIMAL -> {
                p.nextToken();
                return new Ast.Literal(Ast.LiteralKind.DECIMAL, t.text(), t.start());
            }
            case STRING -> {
                p.nextToken();
                return new Ast.Literal(Ast.LiteralKind.STRING, t.text(), t.start());
            }
            case PARAM -> {
                p.nextToken();
                if (t.text().length() > 9) throw p.notSupported("parameter $" + t.text() + " was not provided", t.start());
                return subscripts(p, new Ast.Param(Integer.parseInt(t.text()), t.start()));
            }
            case OTHER -> {
                if (t.text().equals("bitstring")) throw p.notSupported("BitString values are not supported", t.start());
                throw p.syntaxError(t);
            }
            case PUNCT -> {
                if (t.isPunct("(")) return parenthesised(p);
                throw p.syntaxError(t);
            }
            case QUOTED_IDENT -> {
                return nameOrCall(p);
            }
            case IDENT -> {
                return keywordOrName(p, t);
            }
            default -> throw p.syntaxError(t);
        }
    }

    private static Ast keywordOrName(Parser p, Token t) {
        switch (t.text()) {
            case "true", "false" -> {
                p.nextToken();
                return new Ast.Literal(Ast.LiteralKind.BOOL, t.text(), t.start());
            }
            case "null" -> {
                p.nextToken();
                return new Ast.Literal(Ast.LiteralKind.NULL, "null", t.start());
            }
            case "cast" -> {
                p.nextToken();
                p.expect("(");
                Ast arg = p.expr(0);
                if (!p.acceptWord("as")) throw p.syntaxError(p.peekToken());
                Ast.TypeName type = TypeNames.parse(p);
                p.expect(")");
                return new Ast.Cast(arg, type, t.start());
            }
            case "array" -> {
                p.nextToken();
                if (p.peekToken().isPunct("(")) {
                    Token open = p.nextToken();
                    p.noSubquery(open);
                    throw p.syntaxError(p.peekToken());
                }
                return arrayBody(p, t.start());
            }
            case "case" -> throw p.notSupported("CASE expressions are not supported", t.start());
            case "exists" -> {
                if (p.peekToken(1).isPunct("(")) throw p.notSupported("subqueries are not supported", t.start());
            }
            case "row" -> {
                if (p.peekToken(1).isPunct("(")) throw p.notSupported("row expressions are not supported", t.start());
            }
            case "coalesce", "greatest", "least", "nullif" -> {
                if (p.peekToken(1).isPunct("(")) {
                    p.nextToken();
                    p.nextToken();
                    return new Ast.FuncCall(t.text(), p.list(")"), false, t.start());
                }
            }
            default -> { }
        }
        if (TypeNames.startsTypedLiteral(p)) {
            Ast.TypeName type = TypeNames.parse(p);
            Token s = p.nextToken();
            return new Ast.Cast(new Ast.Literal(Ast.LiteralKind.STRING, s.text(), s.start()), type, t.start());
        }
        if (Keywords.isReserved(t.text())) throw p.syntaxError(t);
        return nameOrCall(p);
    }

    private static Ast nameOrCall(Parser p) {
        Token first = p.peekToken();
        if (p.peekToken(1).isPunct("(")) {
            if (!Keywords.canNameFunction(first)) throw p.syntaxError(first);
            p.nextToken();
            p.nextToken();
            if (p.accept(")")) return new Ast.FuncCall(first.text(), List.of(), false, first.start());
            if (p.peekToken().isPunct("*") && p.peekToken(1).isPunct(")")) {
                p.nextToken();
                p.nextToken();
                return new Ast.FuncCall(first.text(), List.of(), true, first.start());
            }
            if (p.peekToken().isKeyword("distinct") || p.peekToken().isKeyword("variadic")) {
                throw p.notSupported("DISTINCT and VARIADIC function arguments are not supported", first.start());
            }
            return new Ast.FuncCall(first.text(), p.list(")"), false, first.start());
        }
        if (!Keywords.canNameColumn(first)) throw p.syntaxError(first);
        p.nextToken();
        List<String> path = new ArrayList<>();
        path.add(first.text());
        while (p.peekToken().isPunct(".")) {
            p.nextToken();
            Token part = p.nextToken();
            if (part.kind() != Token.Kind.IDENT && part.kind() != Token.Kind.QUOTED_IDENT) throw p.syntaxError(part);
            path.add(part.text());
        }
        return subscripts(p, new Ast.ColumnRef(List.copyOf(path), first.start()));
    }

    private static Ast parenthesised(Parser p) {
        Token open = p.nextToken();
        p.noSubquery(open);
        Ast inner = p.expr(0);
        if (p.peekToken().isPunct(",")) {
            p.nextToken();
            List<Ast> rest = p.list(")");
            // A row is read only as the left side of IN (SELECT ...), Electric's composite-key form.
            if (p.readsSubselects() && p.startsInSubselect()) {
                List<Ast> elements = new ArrayList<>();
                elements.add(inner);
                elements.addAll(rest);
                return new Ast.Row(List.copyOf(elements), open.start());
            }
            throw p.notSupported("row expressions are not supported", open.start());
        }
        p.expect(")");
        return subscripts(p, inner);
    }

    /** {@code [a, b]} after ARRAY, with nested bracket lists for multi-dimensional constructors. */
    private static Ast arrayBody(Parser p, int pos) {
        p.expect("[");
        List<Ast> elements = new ArrayList<>();
        if (!p.accept("]")) {
            do {
                elements.add(p.peekToken().isPunct("[") ? arrayBody(p, p.peekToken().start()) : p.expr(0));
            } while (p.accept(","));
            p.expect("]");
        }
        return new Ast.ArrayCtor(List.copyOf(elements), pos);
    }

    private static Ast subscripts(Parser p, Ast arg) {
        List<Ast.Index> indices = new ArrayList<>();
        while (p.peekToken().isPunct("[")) {
            p.nextToken();
            Ast lower = p.peekToken().isPunct(":") ? null : p.expr(0);
            if (p.accept(":")) {
                Ast upper = p.peekToken().isPunct("]") ? null : p.expr(0);
                indices.add(new Ast.Index(lower, upper, true));
            } else {
                indices.add(new Ast.Index(null, lower, false));
            }
            p.expect("]");
        }
        return indices.isEmpty() ? arg : new Ast.Subscript(arg, List.copyOf(indices), arg.pos());
    }
}
