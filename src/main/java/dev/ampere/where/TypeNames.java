package dev.ampere.where;

/**
 * Parses Postgres type names ({@code Typename} in the grammar: multi-word names such as {@code double precision}
 * and {@code timestamp with time zone}, modifiers, {@code []} bounds, schema qualification) and maps SQL spellings
 * to catalog names ({@code integer} → {@code int4}). Part of the {@link Parser}.
 *
 * <p>Stateless.
 */
final class TypeNames {
    private TypeNames() {}

    /** True when the parser is at {@code typename 'literal'} (e.g. {@code date '2024-01-01'}). */
    static boolean startsTypedLiteral(Parser p) {
        Token t = p.peekToken();
        if (t.kind() != Token.Kind.IDENT) return false;
        int ahead = switch (t.text()) {
            case "double" -> 2;
            case "timestamp", "time" -> p.peekToken(1).isKeyword("with") || p.peekToken(1).isKeyword("without") ? 4 : 1;
            case "character", "char" -> p.peekToken(1).isKeyword("varying") ? 2 : 1;
            default -> 1;
        };
        return p.peekToken(ahead).kind() == Token.Kind.STRING && !Keywords.isReserved(t.text());
    }

    static Ast.TypeName parse(Parser p) {
        Token first = p.nextToken();
        if (first.kind() != Token.Kind.IDENT && first.kind() != Token.Kind.QUOTED_IDENT) throw p.syntaxError(first);
        String name = first.text();
        if (first.kind() == Token.Kind.IDENT) {
            if (name.equals("pg_catalog") && p.peekToken().isPunct(".")) {
                p.nextToken();
                name = p.nextToken().text();
            } else if (p.peekToken().isPunct(".")) {
                p.nextToken();
                name = name + "." + p.nextToken().text();
            }
            name = multiWord(p, name);
        }
        skipModifiers(p);
        if (first.kind() == Token.Kind.IDENT && (name.equals("timestamp") || name.equals("time"))) {
            name = timeZoneSuffix(p, name);
        }
        boolean array = false;
        while (p.peekToken().isPunct("[")) {
            p.nextToken();
            if (p.peekToken().kind() == Token.Kind.INTEGER) p.nextToken();
            p.expect("]");
            array = true;
        }
        if (p.acceptWord("array")) {
            array = true;
            if (p.accept("[")) {
                p.nextToken();
                p.expect("]");
            }
        }
        return new Ast.TypeName(canonical(name), array, first.start());
    }

    private static String multiWord(Parser p, String name) {
        return switch (name) {
            case "double" -> {
                if (!p.acceptWord("precision")) throw p.syntaxError(p.peekToken());
                yield "float8";
            }
            case "character", "char" -> p.acceptWord("varying") ? "varchar" : "bpchar";
            case "float" -> {
                if (p.peekToken().isPunct("(") && p.peekToken(1).kind() == Token.Kind.INTEGER) {
                    int precision = Integer.parseInt(p.peekToken(1).text());
                    yield precision <= 24 ? "float4" : "float8";
                }
                yield "float8";
            }
            default -> name;
        };
    }

    private static String timeZoneSuffix(Parser p, String name) {
        if (p.peekToken().isKeyword("with") && p.peekToken(1).isKeyword("time")) {
            p.nextToken();
            p.nextToken();
            if (!p.acceptWord("zone")) throw p.syntaxError(p.peekToken());
            return name + "tz";
        }
        if (p.peekToken().isKeyword("without") && p.peekToken(1).isKeyword("time")) {
            p.nextToken();
            p.nextToken();
            if (!p.acceptWord("zone")) throw p.syntaxError(p.peekToken());
        }
        return name;
    }

    private static void skipModifiers(Parser p) {
        if (!p.peekToken().isPunct("(")) return;
        p.nextToken();
        do {
            Token t = p.nextToken();
            if (t.kind() != Token.Kind.INTEGER) throw p.syntaxError(t);
        } while (p.accept(","));
        p.expect(")");
    }

    static String canonical(String name) {
        return switch (name) {
            case "int", "integer", "int4" -> "int4";
            case "smallint", "int2" -> "int2";
            case "bigint", "int8" -> "int8";
            case "real", "float4" -> "float4";
            case "float8" -> "float8";
            case "decimal", "dec", "numeric" -> "numeric";
            case "boolean", "bool" -> "bool";
            case "varchar" -> "varchar";
            case "timestamp without time zone" -> "timestamp";
            default -> name;
        };
    }
}
