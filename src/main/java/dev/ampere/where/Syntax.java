package dev.ampere.where;

/**
 * Builds syntax errors the way Postgres words them and locates them the way Electric reports them. Part of the
 * parser. Electric parses {@code SELECT 1 WHERE <text>} with libpg_query and reports libpg_query's cursor position
 * unchanged, so a syntax error's location is the 0-based character offset in that whole statement, i.e. the
 * offset in the user's text plus {@value #PREFIX_LENGTH} (the official client test expects 17 for {@code 1 x 1}).
 * Offsets count Unicode code points, as Postgres does.
 *
 * <p>Stateless.
 */
final class Syntax {
    static final String PREFIX = "SELECT 1 WHERE ";
    static final int PREFIX_LENGTH = PREFIX.length();

    private Syntax() {}

    static WhereClauseException error(String text, String msg, int start, String near) {
        return new WhereClauseException(msg + " at or near \"" + near + "\"", PREFIX_LENGTH + codePoints(text, start));
    }

    static WhereClauseException syntaxError(String text, Token at) {
        if (at.kind() == Token.Kind.EOF) {
            return new WhereClauseException("syntax error at end of input", PREFIX_LENGTH + codePoints(text, text.length()));
        }
        return error(text, "syntax error", at.start(), at.raw());
    }

    /** Location of a semantic error: a 0-based offset into the user's text (Electric subtracts the prefix). */
    static int semanticLocation(String text, int start) {
        return codePoints(text, Math.min(start, text.length()));
    }

    private static int codePoints(String text, int utf16Index) {
        return text.codePointCount(0, utf16Index);
    }
}
