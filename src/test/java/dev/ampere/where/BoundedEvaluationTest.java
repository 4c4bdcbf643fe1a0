package dev.ampere.where;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ampere.postgres.TableInfo;

/**
 * Evaluation cost is bounded: LIKE and ILIKE make at most O(|pattern| · |text|) comparisons (counted through the
 * {@link EvalBudget}, not timed), patterns that used to backtrack exponentially stay linear in the text, an
 * evaluation over its budget fails with a recognisable error, and numeric and array operators cannot blow up on
 * huge values.
 */
class BoundedEvaluationTest {
    private static final TableInfo TABLE = TestTables.table(1001, "id:int4", "title:text", "pat:text", "n:numeric",
            "ids:int4[]", "other:int4[]", "fs:float8[]", "gs:float8[]");

    private static WhereClause parse(String where) {
        return WhereClause.parse(where, TABLE, Map.of());
    }

    /** The comparisons one evaluation of {@code where} made on a row whose column {@code col} is {@code value}. */
    private static long steps(WhereClause w, int col, String value) {
        w.evaluate(i -> i == col ? value : null);
        return EvalBudget.lastSpent();
    }

    private static long steps(String where, String title) {
        return steps(parse(where), 1, title);
    }

    @Test
    void theBacktrackingPatternIsLinearInTheText() {
        String hostile = "title LIKE '%a%a%a%a%a%a%a%a%a%a%a%a%b'";
        assertFalse(parse(hostile).includes(i -> i == 1 ? "a".repeat(2000) : null));
        // (Calls under EvalBudget.SMALL steps are not charged, so measure from 2,000 characters up.)
        long s1 = steps(hostile, "a".repeat(2000));
        long s2 = steps(hostile, "a".repeat(4000));
        long s4 = steps(hostile, "a".repeat(8000));
        // One pass per segment at most: 13 literals × the text, and doubling the text doubles the work.
        assertTrue(s1 > 0 && s4 <= 26L * 8000, "steps " + s4);
        assertTrue(s2 <= 2 * s1 + 100 && s4 <= 2 * s2 + 100, s1 + " " + s2 + " " + s4);
        assertTrue(parse(hostile).includes(i -> i == 1 ? "a".repeat(2000) + "b" : null));
    }

    @Test
    void everyFormOfLikeIsBounded() {
        String text = "a".repeat(3000);
        for (String where : new String[]{
                "title ILIKE '%A%A%A%A%A%A%A%A%A%A%B'", "title LIKE '%a_a_a%a_%a%a__a%b%'", "title LIKE '%_%_%_%_%_%_%b'",
                "title NOT LIKE '%a%a%a%a%a%a%a%a%a%a%a%a%c'", "title LIKE '%aa!%a%a%a%a%a%a%a%b' ESCAPE '!'",
                "title ~~ '%a%a%a%a%a%a%a%a%a%a%b'", "like(title, '%a%a%a%a%a%a%a%a%a%b')",
                "LIKE(title, '%a%a%a%a%a%a%a%a%a%b')", "title !~~* '%A%A%A%A%A%A%A%A%B'",
                "title LIKE ANY (ARRAY['%a%a%a%a%a%a%a%a%a%b', '%a%a%a%a%a%a%a%a%c'])",
                "title LIKE '%" + "a".repeat(50) + "b%'"}) {
            long s1 = steps(where, text);
            long s2 = steps(where, text + text);
            assertTrue(s2 <= 2.1 * s1 + 1000, where + ": " + s1 + " then " + s2);
            assertTrue(s2 <= 120L * 6000, where + ": " + s2);
        }
        // A pattern that comes from the row is bounded by |pattern| · |text| as well.
        WhereClause w = parse("title LIKE pat");
        String pat = "%a".repeat(100) + "%b";
        w.evaluate(i -> i == 1 ? "a".repeat(5000) : i == 2 ? pat : null);
        assertTrue(EvalBudget.lastSpent() <= 2L * pat.length() * 5000);
    }

    @Test
    void anEvaluationOverItsBudgetFailsRecognisably() {
        // A 10,000-character segment tried at each of 30,000 positions: about 3·10^8 comparisons.
        WhereClause w = parse("title LIKE pat");
        String pat = "%" + "a".repeat(10_000) + "b%";
        RuntimeException e = assertThrows(EvalException.class,
                () -> w.includes(i -> i == 1 ? "a".repeat(40_000) : i == 2 ? pat : null));
        assertTrue(WhereClause.isBudgetExceeded(e), e.getMessage());
        assertFalse(w.matches(i -> i == 1 ? "a".repeat(40_000) : i == 2 ? pat : null));
        // The next evaluation starts with a fresh budget.
        assertTrue(w.includes(i -> i == 1 ? "xb" : i == 2 ? "%b" : null));
        EvalException pg = assertThrows(EvalException.class, () -> parse("title::int4 = 1").includes(i -> "x"));
        assertFalse(WhereClause.isBudgetExceeded(pg));
    }

    @Test
    void aConstantOverTheBudgetIsTheClientsError() {
        // Constant folding evaluates while parsing: 6,000 comparisons at each of 10,000 positions.
        String where = "'" + "a".repeat(16_000) + "' LIKE '%" + "a".repeat(6000) + "b%'";
        WhereClauseException e = assertThrows(WhereClauseException.class, () -> parse(where));
        assertTrue(e.getMessage().contains("evaluation budget"), e.getMessage());
        assertTrue(parse("'" + "a".repeat(4000) + "b' LIKE '%" + "a".repeat(2000) + "b%'").includes(i -> null));
    }

    @Test
    void arrayContainmentOfLargeArraysIsLinear() {
        StringBuilder a = new StringBuilder("{"), b = new StringBuilder("{");
        for (int i = 0; i < 20_000; i++) {
            a.append(i == 0 ? "" : ",").append(i);
            b.append(i == 0 ? "" : ",").append(19_999 - i);
        }
        String big = a.append('}').toString(), reversed = b.append('}').toString();
        for (String op : new String[]{"ids @> other", "ids <@ other", "ids && other"}) {
            WhereClause w = parse(op);
            assertTrue(w.includes(i -> i == 4 ? big : i == 5 ? reversed : null), op);
            assertTrue(EvalBudget.lastSpent() <= 3 * 20_000, op);
        }
        // Floats (NaN equals NaN, -0 equals 0) are compared pairwise, within the budget.
        WhereClause f = parse("fs @> gs");
        String fs = big.replace("}", ",NaN}"), gs = "{NaN,-0,3}";
        assertTrue(f.includes(i -> i == 6 ? fs : i == 7 ? gs : null));
        assertTrue(parse("fs @> '{1, NaN}'").includes(i -> i == 6 ? "{NaN, 1}" : null));
    }

    @Test
    void numericResultsStayWithinPostgresRange() {
        String huge = "9".repeat(100_000);
        WhereClause pow = parse("n ^ 999 > 0");
        EvalException e = assertThrows(EvalException.class, () -> pow.includes(i -> i == 3 ? huge : null));
        assertEquals("value overflows numeric format", e.getMessage());
        assertThrows(EvalException.class, () -> parse("n * n * n > 0").includes(i -> i == 3 ? huge : null));
        assertTrue(parse("n * n > 0").includes(i -> i == 3 ? "9".repeat(60_000) : null));
        // A tiny base raised high underflows to zero, as in Postgres.
        assertTrue(parse("n ^ 900 = 0").includes(i -> i == 3 ? "0." + "0".repeat(100) + "1" : null));
        assertTrue(parse("(1.0001 ^ 999) > 1.1").includes(i -> null));
        assertThrows(EvalException.class, () -> parse("n > 0").includes(i -> i == 3 ? "1e999999999" : null));
        assertEquals("At location 4: value overflows numeric format",
                assertThrows(WhereClauseException.class, () -> parse("n = 1e999999999")).getMessage());
        assertThrows(WhereClauseException.class, () -> parse("n = '1e-20000'::numeric"));
        // Text too long for any numeric overflows before it is parsed (parsing is quadratic in its digits).
        WhereClause cast = parse("title::numeric > 0");
        assertEquals("value overflows numeric format", assertThrows(EvalException.class,
                () -> cast.includes(i -> i == 1 ? "7".repeat(5_000_000) : null)).getMessage());
        assertTrue(cast.includes(i -> i == 1 ? "0".repeat(500_000) + "7" : null));
        // Long numerics parse by halves to the same value as the JDK's parser.
        java.util.Random rnd = new java.util.Random(7);
        for (String text : new String[]{"1" + "0".repeat(5000), "-" + "9".repeat(3000) + "." + "1".repeat(2500),
                "+0." + "0".repeat(4000) + "5", "12345".repeat(1000) + "e-777", "3".repeat(2001) + "E+12", ".5" + "5".repeat(3000)}) {
            assertEquals(new java.math.BigDecimal(text), LongDecimals.parse(text), text.substring(0, 20));
        }
        StringBuilder random = new StringBuilder();
        for (int k = 0; k < 20_000; k++) random.append((char) ('0' + rnd.nextInt(10)));
        assertEquals(new java.math.BigDecimal(random.toString()), LongDecimals.parse(random.toString()));
        assertThrows(NumberFormatException.class, () -> LongDecimals.parse("1".repeat(3000) + "x"));
        assertThrows(NumberFormatException.class, () -> LongDecimals.parse("1".repeat(3000) + ".2.3"));
    }
}
