package dev.ampere.where;

/**
 * Dedicated closures for the commonest leaf of real where clauses, an integer or text column compared with a
 * constant ({@code id = 5}, {@code status <> 'done'}): they skip boxing the parsed value and the generic ordering
 * dispatch. Results are identical to the generic path (the differential tests run both).
 *
 * <p>Stateless.
 */
final class Specialized {
    private Specialized() {}

    static Compiler.Node comparison(Expr.Call c) {
        if (c.form() != Expr.Form.INFIX || !Operators.isComparison(c.name())) return null;
        if (!(c.args().get(0) instanceof Expr.Column col) || !(c.args().get(1) instanceof Expr.Const k) || k.value() == null) {
            return null;
        }
        int index = col.index();
        java.util.function.IntPredicate test = test(c.name());
        if (col.type().isInteger() && k.value() instanceof Long kv) {
            long constant = kv;
            int bits = Arithmetic.bits(col.type());
            String name = Arith.intName(bits);
            return row -> {
                String s = row.text(index);
                if (s == null) return null;
                long v = Values.parseInt(s, bits, name);
                return test.test(Long.compare(v, constant));
            };
        }
        if (col.type().equals(SqlType.TEXT) && k.value() instanceof String ks) {
            if (c.name().equals("=")) return row -> {
                String s = row.text(index);
                return s == null ? null : s.equals(ks);
            };
            return row -> {
                String s = row.text(index);
                return s == null ? null : test.test(Values.compareText(s, ks));
            };
        }
        return null;
    }

    private static java.util.function.IntPredicate test(String op) {
        return switch (op) {
            case "=" -> cmp -> cmp == 0;
            case "<>" -> cmp -> cmp != 0;
            case "<" -> cmp -> cmp < 0;
            case ">" -> cmp -> cmp > 0;
            case "<=" -> cmp -> cmp <= 0;
            default -> cmp -> cmp >= 0;
        };
    }
}
