package dev.ampere.where;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Arithmetic with Postgres's error behaviour: integer overflow per width (int2/int4/int8), division by zero, float
 * overflow and underflow checks ({@code float.c}), numeric division scale ({@code select_div_scale}). Errors are
 * {@link EvalException}s.
 *
 * <p>Stateless.
 */
final class Arith {
    private Arith() {}

    static long checkInt(long v, int bits) {
        if (bits == 32 && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) throw outOfRange("integer");
        if (bits == 16 && (v < Short.MIN_VALUE || v > Short.MAX_VALUE)) throw outOfRange("smallint");
        return v;
    }

    static EvalException outOfRange(String type) {
        return new EvalException(type + " out of range");
    }

    /** Postgres's numeric limits: digits before the decimal point, and after it. */
    static final int NUMERIC_MAX_INTEGER_DIGITS = 131072;
    static final int NUMERIC_MAX_SCALE = 16383;

    static EvalException numericOverflow() {
        return new EvalException("value overflows numeric format");
    }

    /**
     * A numeric result within Postgres's range: more than {@link #NUMERIC_MAX_INTEGER_DIGITS} digits before the
     * point overflows (as in Postgres); a scale over {@link #NUMERIC_MAX_SCALE} is rounded to it. Keeps every
     * numeric value, and so the cost of each operation on it, bounded.
     */
    static BigDecimal numeric(BigDecimal v) {
        if (v.signum() == 0) return v.scale() > NUMERIC_MAX_SCALE ? v.setScale(NUMERIC_MAX_SCALE) : v;
        if ((long) v.precision() - v.scale() > NUMERIC_MAX_INTEGER_DIGITS) throw numericOverflow();
        return v.scale() > NUMERIC_MAX_SCALE ? v.setScale(NUMERIC_MAX_SCALE, RoundingMode.HALF_UP) : v;
    }

    /** A numeric input value: out of range before or after the point fails, as Postgres's numeric_in does. */
    static BigDecimal numericInput(BigDecimal v) {
        if (v.scale() > NUMERIC_MAX_SCALE) throw numericOverflow();
        return numeric(v);
    }

    static EvalException divisionByZero() {
        return new EvalException("division by zero");
    }

    static String intName(int bits) {
        return bits == 16 ? "smallint" : bits == 32 ? "integer" : "bigint";
    }

    static long add(long a, long b, int bits) {
        try {
            return checkInt(Math.addExact(a, b), bits);
        } catch (ArithmeticException e) {
            throw outOfRange(intName(bits));
        }
    }

    static long sub(long a, long b, int bits) {
        try {
            return checkInt(Math.subtractExact(a, b), bits);
        } catch (ArithmeticException e) {
            throw outOfRange(intName(bits));
        }
    }

    static long mul(long a, long b, int bits) {
        try {
            return checkInt(Math.multiplyExact(a, b), bits);
        } catch (ArithmeticException e) {
            throw outOfRange(intName(bits));
        }
    }

    static long div(long a, long b, int bits) {
        if (b == 0) throw divisionByZero();
        if (b == -1) return sub(0, a, bits);
        return a / b;
    }

    static long mod(long a, long b) {
        if (b == 0) throw divisionByZero();
        if (b == -1) return 0;
        return a % b;
    }

    static long neg(long a, int bits) {
        return sub(0, a, bits);
    }

    static long abs(long a, int bits) {
        return a < 0 ? neg(a, bits) : a;
    }

    static double checkFloat(double r, boolean infOk, boolean zeroOk) {
        if (Double.isInfinite(r) && !infOk) throw new EvalException("value out of range: overflow");
        if (r == 0.0 && !zeroOk) throw new EvalException("value out of range: underflow");
        return r;
    }

    static double fadd(double a, double b) {
        return checkFloat(a + b, Double.isInfinite(a) || Double.isInfinite(b), true);
    }

    static double fsub(double a, double b) {
        return checkFloat(a - b, Double.isInfinite(a) || Double.isInfinite(b), true);
    }

    static double fmul(double a, double b) {
        return checkFloat(a * b, Double.isInfinite(a) || Double.isInfinite(b), a == 0.0 || b == 0.0);
    }

    static double fdiv(double a, double b) {
        if (b == 0.0 && !Double.isNaN(a)) throw divisionByZero();
        return checkFloat(a / b, Double.isInfinite(a), a == 0.0 || Double.isInfinite(b));
    }

    static double fpow(double a, double b) {
        if (Double.isNaN(a)) return b == 0 ? 1.0 : Double.NaN;
        if (Double.isNaN(b)) return a == 1.0 ? 1.0 : Double.NaN;
        if (a == 0 && b < 0) throw new EvalException("zero raised to a negative power is undefined");
        if (a < 0 && Math.floor(b) != b && !Double.isInfinite(b)) {
            throw new EvalException("a negative number raised to a non-integer power yields a complex result");
        }
        double r = Math.pow(a, b);
        return checkFloat(r, Double.isInfinite(a) || Double.isInfinite(b), a == 0.0 || Double.isInfinite(a) || Double.isInfinite(b));
    }

    static double sqrt(double a) {
        if (a < 0) throw new EvalException("cannot take square root of a negative number");
        return Math.sqrt(a);
    }

    static BigDecimal ndiv(BigDecimal a, BigDecimal b) {
        if (b.signum() == 0) throw divisionByZero();
        return numeric(a.divide(b, divScale(a, b), RoundingMode.HALF_UP));
    }

    static BigDecimal nmod(BigDecimal a, BigDecimal b) {
        if (b.signum() == 0) throw divisionByZero();
        return numeric(a.remainder(b));
    }

    static BigDecimal npow(BigDecimal a, BigDecimal b) {
        if (a.signum() == 0 && b.signum() < 0) throw new EvalException("zero raised to a negative power is undefined");
        if (b.stripTrailingZeros().scale() <= 0 && b.abs().compareTo(BigDecimal.valueOf(1000)) < 0) {
            int n = b.intValueExact();
            int scale = Math.max(16, a.scale());
            BigDecimal r;
            if (a.signum() == 0 || n == 0 || (long) a.precision() * Math.abs(n) <= EXACT_POWER_DIGITS) {
                r = n >= 0 ? a.pow(n) : BigDecimal.ONE.divide(a.pow(-n), MathContext.DECIMAL128);
            } else {
                // The exact power would have precision × n digits: bound it by the result's range first.
                double log10 = n * log10(a.abs());
                if (log10 >= NUMERIC_MAX_INTEGER_DIGITS) throw numericOverflow();
                if (log10 < -scale - 2) return BigDecimal.ZERO;
                int digits = (int) Math.max(1, Math.ceil(log10)) + scale + 4;
                r = n >= 0 ? a.pow(n, new MathContext(digits, RoundingMode.HALF_EVEN))
                        : BigDecimal.ONE.divide(a.pow(-n, new MathContext(40, RoundingMode.HALF_EVEN)), MathContext.DECIMAL128);
            }
            return numeric(r.setScale(scale, RoundingMode.HALF_UP).stripTrailingZeros());
        }
        if (a.signum() < 0) throw new EvalException("a negative number raised to a non-integer power yields a complex result");
        double r = Math.pow(a.doubleValue(), b.doubleValue());
        if (Double.isInfinite(r) || Double.isNaN(r)) throw numericOverflow();
        return new BigDecimal(r, MathContext.DECIMAL64);
    }

    /** Integer powers whose exact result has at most this many digits are computed exactly. */
    private static final long EXACT_POWER_DIGITS = 20_000;

    /** log10 of a positive value, from its 17 leading digits and its exponent. */
    private static double log10(BigDecimal v) {
        BigDecimal lead = v.round(new MathContext(17));
        return Math.log10(lead.unscaledValue().doubleValue()) - lead.scale();
    }

    /** Postgres's {@code select_div_scale}: at least 16 significant digits, at least the inputs' scales. */
    private static int divScale(BigDecimal a, BigDecimal b) {
        int w1 = 0, w2 = 0, f1 = 0, f2 = 0;
        if (a.signum() != 0) { w1 = groupWeight(a); f1 = firstGroup(a, w1); }
        if (b.signum() != 0) { w2 = groupWeight(b); f2 = firstGroup(b, w2); }
        int qweight = w1 - w2;
        if (f1 <= f2) qweight--;
        int rscale = 16 - qweight * 4;
        rscale = Math.max(rscale, Math.max(a.scale(), 0));
        rscale = Math.max(rscale, Math.max(b.scale(), 0));
        return Math.min(Math.max(rscale, 0), 1000);
    }

    private static int groupWeight(BigDecimal v) {
        int e10 = v.precision() - v.scale() - 1;
        return Math.floorDiv(e10, 4);
    }

    private static int firstGroup(BigDecimal v, int weight) {
        BigInteger g = v.abs().movePointLeft(weight * 4).setScale(0, RoundingMode.DOWN).toBigInteger();
        return g.intValue();
    }
}
