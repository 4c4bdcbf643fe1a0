package dev.ampere.where;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import dev.ampere.testing.TestDatabase;

/**
 * Postgres is the oracle for syntax: each text is sent as {@code SELECT 1 WHERE <text>}; when Postgres reports a
 * syntax error, Ampere must report the same message at the same place (Postgres's 1-based position minus one,
 * which is how Electric reports libpg_query's cursor), and when Postgres's parser accepts the text, so must
 * Ampere's.
 */
class ParserVsPostgresTest {
    private static Connection conn;

    @BeforeAll
    static void connect() throws SQLException {
        conn = TestDatabase.connect();
    }

    @AfterAll
    static void close() throws SQLException {
        conn.close();
    }

    static final List<String> INPUTS = List.of(
            "1 x 1", "x x", "1=1 AND x x", "1 =", "(1 = 1", "1 = 1)", "a = = b", "a = b = c", "a < b < c",
            "a <= b >= c", "a LIKE b LIKE c", "a LIKE b NOT LIKE c", "a IS DISTINCT FROM b IS NULL",
            "a BETWEEN 1 AND 2 BETWEEN 3 AND 4", "NOT", "a IN ()", "a IN (1,", "'abc", "\"abc", "1 + ",
            "a = 1 AND", "from = 1", "select", "x = 1 x", "a::", "a::int[", "CAST(a AS)", "ARRAY[1,2", "a[1",
            "f(", "f(1,)", "123abc = 1", "$1a = 1", "a IS FOO", "a ==", "a NOT b", "'a' 'b'", "x IS NOT",
            "x = ANY", "x = ANY(", "é = é x", "\"\" = 1", "/* unterminated", "a = 1 -- comment", "a.b.c = 1",
            "a IS NULL IS NULL", "a = 1 = 1", "1 = 1 AND (2 = 2 OR 3 x)", "a IN (1) IN (true)", "NOT NOT a",
            "a = NOT b", "- - 1 = 1", "a @> '{1}' AND b <@ c && d", "|/ 16 + 9 = 5", "a ~~ b", "a !~~* b",
            "a isnull", "a notnull", "a IS NOT DISTINCT FROM b", "a NOT BETWEEN SYMMETRIC 1 AND 2",
            "a = ANY(b) = true", "a LIKE 'x' ESCAPE '!'", "x::int[] @> y", "x::double precision > 1",
            "x::timestamp with time zone > '2020-01-01'", "date '2020-01-01' < d", "interval '1 day' > i",
            "a[1:2] = b", "a[:2] = b", "a[1][2] = 3", "(a)[1] = 1", "$1[1] = 1", "a = $1", "coalesce(a, b) = 1",
            "greatest(1, 2) = least(3, 4)", "1.5e3 = 1500", ".5 = 0.5", "1. = 1", "a AND b OR c AND NOT d",
            "\"Weird \"\" name\" = 1", "E'a\\'b' = x", "$$dollar$$ = x", "a -- trailing\n = 1", "a /* c */ = 1",
            "x = 1 ORDER", "a at time zone 'UTC' = b", "1 = 1;", "ARRAY[[1,2],[3,4]] = a", "a @@ b", "a #- b",
            "x = -1", "x=-1", "x<-1", "x@-1", "1++1 = 2", "a ? b", "CAST(a AS int) = 1", "a <> b", "a != b",
            "a = b AND", "OR a", "a OR OR b", "a = 'x", "a = b)", "())", "", "   ", "a IS TRUE IS FALSE",
            "a > ALL (b)", "x = 1 ORDER BY", "x = 1 GROUP x", "x = 1 LIMIT", "1 = 1 ORDER BY x", "a = SOME (b)", "a = ANY b", "12.5e = 1", "$1 $2", "a LIKE ANY (b)", "a NOT ILIKE ALL (b)", "TRUE", "null IS NULL", "a = b ::", "1 = 1 1", "id = ", "id =  \n ",
            // Sub-selects of the form Ampere reads, and syntax errors in and around them.
            "a IN (SELECT b FROM t)", "a IN (SELECT b FROM t WHERE c = 1)", "a IN (SELECT b FROM t WHERE c = )",
            "a IN (SELECT b FROM t WHERE c x)", "a IN (SELECT b FROM t", "a IN (SELECT b FROM)", "a IN (SELECT b FROM t) x",
            "a IN (SELECT b, FROM t)", "a IN (SELECT b FROM s.)", "a IN (SELECT b FROM t WHERE)", "a IN (SELECT)",
            "a IN (SELECT b,)", "(a, b) IN (SELECT c, d FROM t)", "(a, b) NOT IN (SELECT c, d FROM \"S\".t)",
            "a IN (SELECT b FROM t1 WHERE c IN (SELECT d FROM t2 WHERE e IN (SELECT f FROM t3 WHERE g = $1)))",
            "NOT (a IN (SELECT b FROM t)) OR a NOT IN (SELECT b FROM u WHERE c IN (SELECT d FROM v x))",
            "a IN (SELECT b FROM t WHERE c IN (SELECT d FROM u WHERE e = ))", "a IN (SELECT b FROM t WHERE c = 1 LIMIT 1)",
            "a IN (SELECT b FROM t WHERE c = 1 x y)", "a IN (SELECT b FROM t WHERE c = 1", "a IN (SELECT b FROM t x)",
            "a IN (SELECT b FROM t JOIN u ON true)", "a IN (SELECT FROM t)", "a IN (SELECT ,)",
            "a IN (SELECT b FROM t) IN (true)", "a IN (SELECT b FROM where)");

    @Test
    void syntaxErrorsMatchPostgres() throws SQLException {
        List<String> failures = new ArrayList<>();
        for (String input : INPUTS) {
            String expected = postgresSyntaxError(input);
            String actual = ampere(input);
            if (expected == null) {
                if (actual != null && actual.contains("syntax error")) failures.add(input + " -> PG accepts, Ampere: " + actual);
            } else if (!expected.equals(actual)) {
                failures.add(input + " -> PG: " + expected + " | Ampere: " + actual);
            }
        }
        if (!failures.isEmpty()) fail(failures.size() + " mismatches:\n" + String.join("\n", failures));
    }

    // No bare ".", "IS", "left" nor "ORDER BY": the expression parser's known gaps ($1.field, t.keyword, IS as a
    // name, type-function keywords, ORDER BY in function arguments, s.f(x) calls) are not the sub-select's.
    private static final String[] SUBSELECT_TOKENS = {"a", "b", "t", "FROM s.t", "IN", "NOT", "(", ")", "(", ")",
            "SELECT", "FROM", "WHERE", ",", "=", "1", "$1", "AND", "OR", "LIMIT", "x", "\"Q\"", "LIMIT 1", "GROUP"};

    /** Random sub-select soup, mostly shaped like the form Ampere reads: no syntax error Postgres would not report. */
    @Test
    void randomSubselectsMatchPostgres() throws SQLException {
        java.util.Random rnd = new java.util.Random(12);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            StringBuilder sb = new StringBuilder(switch (rnd.nextInt(3)) {
                case 0 -> "a IN (SELECT ";
                case 1 -> "a IN (SELECT b FROM t WHERE ";
                default -> "";
            });
            int n = 1 + rnd.nextInt(9);
            for (int k = 0; k < n; k++) sb.append(SUBSELECT_TOKENS[rnd.nextInt(SUBSELECT_TOKENS.length)]).append(' ');
            if (rnd.nextBoolean()) sb.append(')');
            String input = sb.toString();
            String expected = postgresSyntaxError(input);
            String actual;
            try {
                actual = ampere(input);
            } catch (RuntimeException e) {
                failures.add(input + " -> crash " + e);
                continue;
            }
            // Ampere reads no full SELECT grammar: inside a sub-select it does not read, it may say "subqueries are
            // not supported" where Postgres finds a syntax error (a 400 either way). What it must never do is report a
            // syntax error Postgres would not, or one worded or placed differently.
            if (actual != null && actual.contains("syntax error") && !actual.equals(expected)) {
                failures.add(input + " -> PG: " + expected + " | Ampere: " + actual);
            }
        }
        if (!failures.isEmpty()) fail(failures.size() + " mismatches:\n" + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
    }

    @Test
    void officialClientExampleIsByteExact() {
        assertEquals("At location 17: syntax error at or near \"x\"", ampere("1 x 1"));
    }

    /** The rendered syntax error Postgres gives, or null when its parser accepts the text. */
    static String postgresSyntaxError(String input) throws SQLException {
        try (Statement s = conn.createStatement()) {
            s.execute("SELECT 1 WHERE " + input);
            return null;
        } catch (PSQLException e) {
            ServerErrorMessage m = e.getServerErrorMessage();
            if (m == null || !"42601".equals(m.getSQLState()) && !m.getMessage().contains("syntax")
                    && !m.getMessage().startsWith("unterminated") && !m.getMessage().startsWith("trailing junk")
                    && !m.getMessage().startsWith("zero-length")) {
                return null;
            }
            return "At location " + (m.getPosition() - 1) + ": " + m.getMessage();
        }
    }

    static String ampere(String input) {
        try {
            Parser.parse(input);
            return null;
        } catch (WhereClauseException e) {
            return e.getMessage();
        }
    }
}
