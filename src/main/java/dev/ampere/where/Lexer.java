package dev.ampere.where;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits where-clause text into {@link Token}s following Postgres 15's scanner ({@code scan.l}): identifiers
 * (ASCII case-folded unless quoted), numbers with the PG15 "trailing junk" rule, {@code '…'}, {@code E'…'} and
 * dollar-quoted strings, {@code $n} parameters, comments, and operators with Postgres's rules for where an
 * operator ends (a multi-character operator may end in {@code +}/{@code -} only if it contains one of
 * {@code ~!@#^&|`?%}). Lexical errors carry Postgres's own message text.
 *
 * <p>Not thread-safe: one instance per text; use {@link #tokenize(String)}.
 */
final class Lexer {
    private static final String OP_CHARS = "~!@#^&|`?+-*/%<>=";
    private static final String SELF_CHARS = ",()[].;:+-*/%^<>=";
    private static final String NON_MATH_OP_CHARS = "~!@#^&|`?%";

    private final String src;
    private int pos;

    private Lexer(String src) {
        this.src = src;
    }

    static List<Token> tokenize(String text) {
        Lexer lx = new Lexer(text);
        List<Token> out = new ArrayList<>();
        Token t;
        do {
            t = lx.next();
            out.add(t);
        } while (t.kind() != Token.Kind.EOF);
        return out;
    }

    private Token next() {
        skipSpaceAndComments();
        if (pos >= src.length()) return new Token(Token.Kind.EOF, "", "", src.length());
        int start = pos;
        char c = src.charAt(pos);
        if ((c == 'e' || c == 'E') && peek(1) == '\'') {
            pos++;
            return string(start, true);
        }
        if ((c == 'b' || c == 'B' || c == 'x' || c == 'X') && peek(1) == '\'') {
            pos++;
            Token s = string(start, false);
            return new Token(Token.Kind.OTHER, "bitstring", s.raw(), start);
        }
        if (isIdentStart(c)) return identifier(start);
        if (isDigit(c) || (c == '.' && isDigit(peek(1)))) return number(start);
        if (c == '\'') return string(start, false);
        if (c == '"') return quotedIdentifier(start);
        if (c == '$') return dollar(start);
        if (c == ':' && peek(1) == ':') return punct(start, 2);
        if (c == ':' && peek(1) == '=') return punct(start, 2);
        if (c == '.' && peek(1) == '.') return punct(start, 2);
        if (OP_CHARS.indexOf(c) >= 0) return operator(start);
        if (SELF_CHARS.indexOf(c) >= 0) return punct(start, 1);
        pos += Character.charCount(src.codePointAt(pos));
        String s = src.substring(start, pos);
        return new Token(Token.Kind.OTHER, s, s, start);
    }

    private char peek(int ahead) {
        int i = pos + ahead;
        return i < src.length() ? src.charAt(i) : '\0';
    }

    private Token punct(int start, int len) {
        pos += len;
        String s = src.substring(start, pos);
        return new Token(Token.Kind.PUNCT, s, s, start);
    }

    private void skipSpaceAndComments() {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B) {
                pos++;
            } else if (c == '-' && peek(1) == '-') {
                while (pos < src.length() && src.charAt(pos) != '\n' && src.charAt(pos) != '\r') pos++;
            } else if (c == '/' && peek(1) == '*') {
                int start = pos;
                int depth = 0;
                do {
                    if (pos >= src.length()) throw error("unterminated /* comment", start, src.substring(start));
                    if (src.startsWith("/*", pos)) { depth++; pos += 2; }
                    else if (src.startsWith("*/", pos)) { depth--; pos += 2; }
                    else pos++;
                } while (depth > 0);
            } else {
                return;
            }
        }
    }

    private Token identifier(int start) {
        while (pos < src.length() && isIdentCont(src.charAt(pos))) pos++;
        String raw = src.substring(start, pos);
        StringBuilder folded = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char ch = raw.charAt(i);
            folded.append(ch >= 'A' && ch <= 'Z' ? (char) (ch + 32) : ch);
        }
        return new Token(Token.Kind.IDENT, folded.toString(), raw, start);
    }

    private Token number(int start) {
        boolean decimal = false;
        while (isDigit(peek(0))) pos++;
        if (peek(0) == '.' && peek(1) != '.') {
            decimal = true;
            pos++;
            while (isDigit(peek(0))) pos++;
        }
        if ((peek(0) == 'e' || peek(0) == 'E')) {
            int save = pos;
            pos++;
            if (peek(0) == '+' || peek(0) == '-') pos++;
            if (isDigit(peek(0))) {
                decimal = true;
                while (isDigit(peek(0))) pos++;
            } else {
                pos = save;
            }
        }
        if (pos < src.length() && isIdentStart(src.charAt(pos))) {
            int end = pos;
            while (end < src.length() && isIdentCont(src.charAt(end))) end++;
            throw error("trailing junk after numeric literal", start, src.substring(start, end));
        }
        String s = src.substring(start, pos);
        return new Token(decimal ? Token.Kind.DECIMAL : Token.Kind.INTEGER, s, s, start);
    }

    private Token string(int start, boolean escapes) {
        int quote = pos;
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= src.length()) throw error("unterminated quoted string", start, src.substring(start));
            char c = src.charAt(pos);
            if (c == '\'') {
                if (peek(1) == '\'') { sb.append('\''); pos += 2; continue; }
                pos++;
                break;
            }
            if (escapes && c == '\\' && pos + 1 < src.length()) {
                pos++;
                char e = src.charAt(pos++);
                sb.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    default -> e;
                });
                continue;
            }
            sb.append(c);
            pos++;
        }
        assert quote >= start;
        return new Token(Token.Kind.STRING, sb.toString(), src.substring(start, pos), start);
    }

    private Token quotedIdentifier(int start) {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= src.length()) throw error("unterminated quoted identifier", start, src.substring(start));
            char c = src.charAt(pos);
            if (c == '"') {
                if (peek(1) == '"') { sb.append('"'); pos += 2; continue; }
                pos++;
                break;
            }
            sb.append(c);
            pos++;
        }
        String raw = src.substring(start, pos);
        if (sb.isEmpty()) throw error("zero-length delimited identifier", start, raw);
        return new Token(Token.Kind.QUOTED_IDENT, sb.toString(), raw, start);
    }

    private Token dollar(int start) {
        pos++;
        if (isDigit(peek(0))) {
            while (isDigit(peek(0))) pos++;
            if (pos < src.length() && isIdentStart(src.charAt(pos))) {
                int end = pos;
                while (end < src.length() && isIdentCont(src.charAt(end))) end++;
                throw error("trailing junk after parameter", start, src.substring(start, end));
            }
            String s = src.substring(start, pos);
            return new Token(Token.Kind.PARAM, s.substring(1), s, start);
        }
        int tagEnd = pos;
        while (tagEnd < src.length() && src.charAt(tagEnd) != '$' && isIdentCont(src.charAt(tagEnd))) tagEnd++;
        if (tagEnd < src.length() && src.charAt(tagEnd) == '$') {
            String delim = src.substring(start, tagEnd + 1);
            int close = src.indexOf(delim, tagEnd + 1);
            if (close < 0) throw error("unterminated dollar-quoted string", start, src.substring(start));
            pos = close + delim.length();
            return new Token(Token.Kind.STRING, src.substring(tagEnd + 1, close), src.substring(start, pos), start);
        }
        return new Token(Token.Kind.OTHER, "$", "$", start);
    }

    private Token operator(int start) {
        int end = pos;
        while (end < src.length() && OP_CHARS.indexOf(src.charAt(end)) >= 0) {
            if (end > start && (src.startsWith("--", end) || src.startsWith("/*", end))) break;
            end++;
        }
        int len = end - start;
        if (len > 1 && (src.charAt(end - 1) == '+' || src.charAt(end - 1) == '-')) {
            boolean nonMath = false;
            for (int i = start; i < end; i++) nonMath |= NON_MATH_OP_CHARS.indexOf(src.charAt(i)) >= 0;
            if (!nonMath) {
                while (len > 1 && (src.charAt(start + len - 1) == '+' || src.charAt(start + len - 1) == '-')) len--;
            }
        }
        pos = start + len;
        String s = src.substring(start, pos);
        if (len == 1 && SELF_CHARS.indexOf(s.charAt(0)) >= 0) return new Token(Token.Kind.PUNCT, s, s, start);
        String canonical = s.equals("!=") ? "<>" : s;
        return new Token(Token.Kind.OP, canonical, s, start);
    }

    private WhereClauseException error(String msg, int start, String near) {
        return Syntax.error(src, msg, start, near);
    }

    static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    static boolean isIdentCont(char c) {
        return isIdentStart(c) || isDigit(c) || c == '$';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
