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
        return match(s, pattern, escape, false);
    }

    static boolean ilike(String s, String pattern, int escape) {
        return match(s, pattern, escape, true);
    }

    static String lower(String s) {
        return s.codePoints().map(Character::toLowerCase)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    static String upper(String s) {
        return s.codePoints().map(Character::toUpperCase)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    /**
     * Postgres's {@code MatchText} (like_match.c) without its recursion. After a {@code %} the rest of the pattern
     * up to the next {@code %} (a segment) is tried at each later text position whose character equals the
     * segment's first literal; once it matches up to the next {@code %}, the earlier {@code %} never has to move
     * again, because a later failure would fail at every later position too (Postgres's {@code LIKE_ABORT}). So
     * each segment is tried at most once per text position: at most O(|pattern| · |text|) comparisons, never
     * exponential, and the comparisons are charged to the evaluation's {@link EvalBudget}. Errors are raised
     * lazily, where Postgres raises them: a pattern ending in the escape character fails only once matching
     * reaches that escape.
     */
    static boolean match(String s, String p, int escape, boolean ci) {
        int n = s.length(), m = p.length();
        int si = 0, pi = 0;
        int segP = -1;      // where the segment after the last '%' starts in the pattern; -1 before any '%'
        int segS = 0;       // the text position of the current attempt at that segment
        int firstPat = 0;   // the segment's first literal, folded
        long steps = 0;
        while (true) {
            boolean failed = false;
            while (si < n && pi < m) {
                if (++steps == EvalBudget.CHUNK) {
                    EvalBudget.charge(steps);
                    steps = 0;
                }
                int pc = p.codePointAt(pi);
                if (pc == escape) {
                    pi += Character.charCount(pc);
                    if (pi >= m) throw new EvalException("LIKE pattern must not end with escape character");
                    pc = p.codePointAt(pi);
                    int sc = s.codePointAt(si);
                    if (fold(pc, ci) != fold(sc, ci)) {
                        failed = true;
                        break;
                    }
                    pi += Character.charCount(pc);
                    si += Character.charCount(sc);
                } else if (pc == '%') {
                    // Skip '%'s and '_'s (each '_' takes one character), then find where the next literal can start.
                    while (pi < m) {
                        int c = p.codePointAt(pi);
                        if (c == escape) break;
                        if (c == '%') {
                            pi++;
                        } else if (c == '_') {
                            if (si >= n) return charged(false, steps);
                            si += Character.charCount(s.codePointAt(si));
                            pi++;
                        } else {
                            break;
                        }
                    }
                    if (pi >= m) return charged(true, steps);
                    int lit = p.codePointAt(pi);
                    if (lit == escape) {
                        int next = pi + Character.charCount(lit);
                        if (next >= m) throw new EvalException("LIKE pattern must not end with escape character");
                        lit = p.codePointAt(next);
                    }
                    segP = pi;
                    firstPat = fold(lit, ci);
                    segS = scan(s, si, firstPat, ci);
                    steps += (segS < 0 ? n : segS) - si;
                    if (segS < 0) return charged(false, steps);
                    si = segS;
                } else if (pc == '_') {
                    pi++;
                    si += Character.charCount(s.codePointAt(si));
                } else {
                    int sc = s.codePointAt(si);
                    if (fold(pc, ci) != fold(sc, ci)) {
                        failed = true;
                        break;
                    }
                    pi += Character.charCount(pc);
                    si += Character.charCount(sc);
                }
            }
            if (!failed) {
                if (si < n) {
                    failed = true; // the pattern ended before the text
                } else {
                    // The text ended: a match if only '%'s are left; otherwise no later attempt can match either.
                    while (pi < m && p.charAt(pi) == '%' && escape != '%') pi++;
                    return charged(pi >= m, steps);
                }
            }
            if (segP < 0) return charged(false, steps);
            int from = segS + Character.charCount(s.codePointAt(segS));
            segS = scan(s, from, firstPat, ci);
            steps += (segS < 0 ? n : segS) - from;
            if (segS < 0) return charged(false, steps);
            si = segS;
            pi = segP;
        }
    }

    /** The first position at or after {@code from} whose character folds to {@code cp}, or -1. */
    private static int scan(String s, int from, int cp, boolean ci) {
        for (int i = from; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (fold(c, ci) == cp) return i;
            i += Character.charCount(c);
        }
        return -1;
    }

    private static int fold(int cp, boolean ci) {
        return ci ? Character.toLowerCase(cp) : cp;
    }

    private static boolean charged(boolean result, long steps) {
        if (steps >= EvalBudget.SMALL) EvalBudget.charge(steps);
        return result;
    }

    /** The escape character of an {@code ESCAPE} clause: one character, or none for the empty string. */
    static int escapeChar(String e) {
        if (e.isEmpty()) return -1;
        if (e.codePointCount(0, e.length()) != 1) throw new EvalException("invalid escape string");
        return e.codePointAt(0);
    }
}
