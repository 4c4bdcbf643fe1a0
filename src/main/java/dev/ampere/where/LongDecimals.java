package dev.ampere.where;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Parses long decimal text (Postgres numerics reach 147,455 digits) in time close to that of a few large
 * multiplications: {@code new BigDecimal(String)} adds one digit group at a time to the growing value, quadratic in
 * the digits (about half a second for a numeric of the largest size, on every evaluation that reads it; here about
 * a quarter of that). The digits are split in halves, each parsed recursively, and joined as
 * {@code high · 10^|low| + low}.
 *
 * <p>Stateless.
 */
final class LongDecimals {
    private LongDecimals() {}

    /** Below this many digits the JDK's parser is used directly. */
    private static final int DIRECT = 1_000;

    /** {@code [+-]digits[.digits][(e|E)[+-]digits]}; anything else is handed to {@code new BigDecimal}, which rejects it. */
    static BigDecimal parse(String s) {
        int i = 0, n = s.length();
        boolean negative = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) negative = s.charAt(i++) == '-';
        int intStart = i;
        while (i < n && isDigit(s.charAt(i))) i++;
        int intEnd = i, fracStart = i, fracEnd = i;
        if (i < n && s.charAt(i) == '.') {
            fracStart = ++i;
            while (i < n && isDigit(s.charAt(i))) i++;
            fracEnd = i;
        }
        long exponent = 0;
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            String e = s.substring(i + 1);
            if (e.length() > 12 || e.isEmpty()) return new BigDecimal(s);
            try {
                exponent = Long.parseLong(e.startsWith("+") ? e.substring(1) : e);
            } catch (NumberFormatException x) {
                return new BigDecimal(s);
            }
            i = n;
        }
        if (i != n || (intEnd == intStart && fracEnd == fracStart)) return new BigDecimal(s);
        String digits = s.substring(intStart, intEnd) + s.substring(fracStart, fracEnd);
        long scale = (fracEnd - fracStart) - exponent;
        if (scale > Integer.MAX_VALUE || scale < Integer.MIN_VALUE) throw Arith.numericOverflow();
        BigInteger unscaled = digits(digits, 0, digits.length(), new java.util.HashMap<>());
        return new BigDecimal(negative ? unscaled.negate() : unscaled, (int) scale);
    }

    /** The halves of one level have (nearly) the same length, so each power of ten is computed once. */
    private static BigInteger digits(String s, int from, int to, java.util.Map<Integer, BigInteger> powersOfTen) {
        if (to - from <= DIRECT) return new BigInteger(s.substring(from, to));
        int mid = from + (to - from) / 2;
        BigInteger high = digits(s, from, mid, powersOfTen), low = digits(s, mid, to, powersOfTen);
        return high.multiply(powersOfTen.computeIfAbsent(to - mid, BigInteger.TEN::pow)).add(low);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
