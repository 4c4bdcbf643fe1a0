package dev.ampere.where;

import java.util.function.Predicate;

/**
 * Specialised matchers for the constant LIKE/ILIKE patterns people actually write — {@code 'lit'},
 * {@code 'lit%'} and {@code '%lit%'} without {@code _} or escapes — so shape filters like
 * {@code title ILIKE '%x%'} scan the text once instead of backtracking. ILIKE folds per code point, as
 * {@link TextFns} does. Other patterns return null and use the general matcher. The substring search compares
 * at most |literal| characters per text position and charges them to the {@link EvalBudget}.
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
        return s -> regionEnd(s, 0, cps, ci) == s.length();
    }

    private static int indexOf(String s, int[] cps, boolean ci) {
        long steps = 0;
        for (int i = 0; i < s.length(); i += Character.charCount(s.codePointAt(i))) {
            int end = regionEnd(s, i, cps, ci);
            if (end >= 0) {
                if (steps >= EvalBudget.SMALL) EvalBudget.charge(steps + cps.length);
                return i;
            }
            steps += 1 - end; // the characters compared before the mismatch
            if (steps >= EvalBudget.CHUNK) {
                EvalBudget.charge(steps);
                steps = 0;
            }
        }
        if (steps >= EvalBudget.SMALL) EvalBudget.charge(steps);
        return -1;
    }

    /** Matches {@code cps} at {@code from}: the end index, or {@code -1 - k} after {@code k} equal code points. */
    private static int regionEnd(String s, int from, int[] cps, boolean ci) {
        int i = from;
        for (int k = 0; k < cps.length; k++) {
            if (i >= s.length()) return -1 - k;
            int c = s.codePointAt(i);
            if ((ci ? Character.toLowerCase(c) : c) != cps[k]) return -1 - k;
            i += Character.charCount(c);
        }
        return i;
    }
}
