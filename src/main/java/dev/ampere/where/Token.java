package dev.ampere.where;

/**
 * One lexical token of a where clause. Part of the parser; produced by {@link Lexer}.
 *
 * @param kind  what the token is
 * @param text  for identifiers the (case-folded unless quoted) name; for strings the unescaped value; for numbers,
 *              operators and punctuation the source text
 * @param raw   the token exactly as written (what Postgres quotes in {@code syntax error at or near "…"})
 * @param start UTF-16 index of the first character in the user's text
 *
 * <p>Immutable.
 */
record Token(Kind kind, String text, String raw, int start) {
    enum Kind { IDENT, QUOTED_IDENT, INTEGER, DECIMAL, STRING, PARAM, OP, PUNCT, OTHER, EOF }

    boolean is(Kind k, String t) {
        return kind == k && text.equals(t);
    }

    boolean isPunct(String t) {
        return kind == Kind.PUNCT && text.equals(t);
    }

    /** An unquoted identifier spelling this keyword (keywords are case-folded like identifiers). */
    boolean isKeyword(String kw) {
        return kind == Kind.IDENT && text.equals(kw);
    }
}
