package dev.ampere.where;

/**
 * Text functions: {@code LIKE}/{@code ILIKE} matching with {@code %}, {@code _} and an escape character (default
 * backslash), and case mapping. Case mapping is per code point ({@link Character#toLowerCase(int)}), like the
 * {@code towlower} Postgres uses under a libc {@code C.UTF-8} collation; ILIKE folds while matching, without
 * allocating.
 *
 * <p>Stateless.
 */
final class TextFns {
    private TextFns() {}

    static boolean like(String s, String pattern, int escape) {
        return match(s, 0, pattern, 0, escape, false);
    }

    static boolean ilike(String s, String pattern, int escape) {
        return match(s, 0, pattern, 0, escape, true);
    }

    static String lower(String s) {
        return s.codePoints().map(Character::toLowerCase)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    static String upper(String s) {
        return s.codePoints().map(Character::toUpperCase)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    private static boolean match(String s, int si, String p, int pi, int escape, boolean ci) {
        while (pi < p.length()) {
            int pc = p.codePointAt(pi);
            if (pc == '%') {
                while (pi < p.length() && p.codePointAt(pi) == '%') pi++;
                if (pi == p.length()) return true;
                for (int k = si; k <= s.length(); k += (k < s.length() ? Character.charCount(s.codePointAt(k)) : 1)) {
                    if (match(s, k, p, pi, escape, ci)) return true;
                }
                return false;
            }
            if (si >= s.length()) return false;
            int sc = s.codePointAt(si);
            int scFolded = ci ? Character.toLowerCase(sc) : sc;
            if (pc == escape && escape >= 0) {
                pi += Character.charCount(pc);
                if (pi >= p.length()) throw new EvalException("LIKE pattern must not end with escape character");
                pc = p.codePointAt(pi);
                if ((ci ? Character.toLowerCase(pc) : pc) != scFolded) return false;
            } else if (pc != '_' && (ci ? Character.toLowerCase(pc) : pc) != scFolded) {
                return false;
            }
            pi += Character.charCount(pc);
            si += Character.charCount(sc);
        }
        return si == s.length();
    }

    /** The escape character of an {@code ESCAPE} clause: one character, or none for the empty string. */
    static int escapeChar(String e) {
        if (e.isEmpty()) return -1;
        if (e.codePointCount(0, e.length()) != 1) throw new EvalException("invalid escape string");
        return e.codePointAt(0);
    }
}
