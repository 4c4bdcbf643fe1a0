package dev.ampere.where;

import java.util.function.Predicate;

/**
 * Specialised matchers for the constant LIKE/ILIKE patterns people actually write — {@code 'lit'},
 * {@code 'lit%'} and {@code '%lit%'} without {@code _} or escapes — so shape filters like
 * {@code title ILIKE '%x%'} scan the text once instead of backtracking. ILIKE folds per code point, as
 * {@link TextFns} does. Other patterns return null and use the general matcher.
 *
 * <p>Stateless; the returned predicates are immutable and thread-safe.
 */
final class LikePatterns {
    private LikePatterns() {}

    static Predicate<String> compile(String pattern, boolean ci) {
        int n = pattern.length();
        boolean leading = n > 0 && pattern.charAt(0) == '%';
        boolean trailing = n > (leading ? 1 : 0) && pattern.charAt(n - 1) == '%';
        String lit = pattern.substring(leading ? 1 : 0, trailing ? n - 1 : n);
        if (lit.isEmpty() || lit.indexOf('%') >= 0 || lit.indexOf('_') >= 0 || lit.indexOf('\\') >= 0) return null;
        if (leading && !trailing) return null;
        int[] cps = (ci ? TextFns.lower(lit) : lit).codePoints().toArray();
        if (leading) return s -> indexOf(s, cps, ci) >= 0;
        if (trailing) return s -> regionEnd(s, 0, cps, ci) >= 0;
        return s -> {
            int end = regionEnd(s, 0, cps, ci);
            return end == s.length();
        };
    }

    private static int indexOf(String s, int[] cps, boolean ci) {
        for (int i = 0; i < s.length(); i += Character.charCount(s.codePointAt(i))) {
            if (regionEnd(s, i, cps, ci) >= 0) return i;
        }
        return -1;
    }

    /** Matches {@code cps} at {@code from}; returns the end index or -1. */
    private static int regionEnd(String s, int from, int[] cps, boolean ci) {
        int i = from;
        for (int cp : cps) {
            if (i >= s.length()) return -1;
            int c = s.codePointAt(i);
            if ((ci ? Character.toLowerCase(c) : c) != cp) return -1;
            i += Character.charCount(c);
        }
        return i;
    }
}
