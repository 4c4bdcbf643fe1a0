package dev.ampere.where;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.ampere.postgres.TableInfo;
import dev.ampere.testing.TestDatabase;

/**
 * Postgres is the oracle for LIKE and ILIKE: random patterns over a small alphabet full of wildcards, escapes and
 * case pairs (with the default escape, {@code ESCAPE ''}, and escapes that are themselves {@code %}, {@code _} or
 * a letter) against random texts; true, false and error (a pattern ending in its escape) must agree, for patterns
 * that come from a column and for constant ones (which take the specialised matchers). Seed fixed, override with
 * {@code -Dlike.seed=...}.
 */
class LikeVsPostgresTest {
    private static final long SEED = Long.getLong("like.seed", 20261202L);
    private static final int CASES = 4000;
    private static final String[] ALPHABET = {"a", "a", "b", "A", "é", "É", "%", "%", "_", "\\", "!", "x"};
    private static final String[] ESCAPES = {null, null, "!", "", "%", "_", "a", "\\"};
    private static final TableInfo TABLE = TestTables.table(1002, "id:int4", "s:text", "p:text", "e:text");

    private static String random(Random rnd, int max, boolean pattern) {
        StringBuilder sb = new StringBuilder();
        int n = rnd.nextInt(max + 1);
        for (int i = 0; i < n; i++) {
            String c = ALPHABET[rnd.nextInt(ALPHABET.length)];
            if (!pattern && (c.equals("%") || c.equals("_")) && rnd.nextBoolean()) c = "a";
            sb.append(c);
        }
        return sb.toString();
    }

    @Test
    void ampereAgreesWithPostgres() throws Exception {
        Random rnd = new Random(SEED);
        List<String[]> cases = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            String e = ESCAPES[rnd.nextInt(ESCAPES.length)];
            cases.add(new String[]{random(rnd, 8, false), random(rnd, 6, true), e, rnd.nextBoolean() ? "t" : "f"});
        }
        String db = TestDatabase.createDatabase();
        List<String> expected = new ArrayList<>();
        try (Connection c = TestDatabase.connect(db); Statement st = c.createStatement()) {
            st.execute("""
                    CREATE FUNCTION try_like(s text, p text, e text, ci bool) RETURNS text LANGUAGE plpgsql AS $f$
                    BEGIN
                      IF e IS NULL THEN RETURN CASE WHEN ci THEN (s ILIKE p)::text ELSE (s LIKE p)::text END; END IF;
                      RETURN CASE WHEN ci THEN (s ILIKE p ESCAPE e)::text ELSE (s LIKE p ESCAPE e)::text END;
                    EXCEPTION WHEN others THEN RETURN 'E';
                    END $f$""");
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT try_like(s, p, e, ci) FROM unnest(?::text[], ?::text[], ?::text[], ?::bool[])
                      WITH ORDINALITY AS u(s, p, e, ci, n) ORDER BY n""")) {
                for (int k = 0; k < 4; k++) {
                    final int col = k;
                    ps.setArray(k + 1, c.createArrayOf(k == 3 ? "bool" : "text",
                            cases.stream().map(x -> col == 3 ? (Object) x[3].equals("t") : x[col]).toArray()));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) expected.add(rs.getString(1));
                }
            }
        }
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            String[] x = cases.get(i);
            String op = x[3].equals("t") ? " ILIKE " : " LIKE ";
            String esc = x[2] == null ? "" : " ESCAPE " + literal(x[2]);
            String fromColumn = ampere("s" + op + "p" + (x[2] == null ? "" : " ESCAPE e"), x);
            String constant = ampere("s" + op + literal(x[1]) + esc, x);
            if (!expected.get(i).equals(fromColumn) || !expected.get(i).equals(constant)) {
                failures.add(literal(x[0]) + op + literal(x[1]) + esc + ": postgres " + expected.get(i)
                        + ", column pattern " + fromColumn + ", constant pattern " + constant);
            }
        }
        if (!failures.isEmpty()) {
            fail("seed " + SEED + ": " + failures.size() + " of " + cases.size() + " disagree:\n"
                    + String.join("\n", failures.subList(0, Math.min(30, failures.size()))));
        }
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static String ampere(String where, String[] x) {
        try {
            Boolean b = WhereClause.parse(where, TABLE, Map.of()).evaluate(i -> i == 1 ? x[0] : i == 2 ? x[1] : i == 3 ? x[2] : null);
            return b == null ? "N" : b.toString();
        } catch (EvalException | WhereClauseException e) {
            return "E";
        }
    }
}
