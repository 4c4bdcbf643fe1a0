package dev.ampere.where;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ampere.postgres.TableInfo;
import dev.ampere.testing.TestDatabase;

/**
 * Postgres is the oracle for evaluation: thousands of random boolean expressions over random rows are evaluated
 * by Postgres ({@code SELECT (expr)::text FROM t}, errors caught per row) and by Ampere (compiled and interpreted,
 * on the rows' text form under both IntervalStyles); true, false, NULL and error must agree. Each expression's
 * regenerated SQL ({@link WhereClause#toSql()}) is sent to Postgres too and must give the same answers as the
 * original text. The seed is fixed and printed on failure; override with {@code -Dwhere.seed=...}.
 */
class DifferentialTest {
    private static final long SEED = Long.getLong("where.seed", 20261124L);
    private static final int EXPRESSIONS = Integer.getInteger("where.expressions", 2500);
    private static final int ROWS = 40;

    @Test
    void ampereAgreesWithPostgres() throws Exception {
        String db = TestDatabase.createDatabase();
        try (Connection c = TestDatabase.connect(db)) {
            DifferentialTable.create(c, SEED, ROWS);
            TableInfo table = DifferentialTable.tableInfo(c);
            List<String[]> postgresRows = DifferentialTable.rows(c, table, "postgres");
            List<String[]> isoRows = DifferentialTable.rows(c, table, "iso_8601");
            RandomExpressions gen = new RandomExpressions(SEED);
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < EXPRESSIONS; i++) texts.add(gen.bool(3));

            List<WhereClause> parsed = new ArrayList<>();
            List<String> rejected = new ArrayList<>();
            List<String> toSend = new ArrayList<>(texts);
            for (String text : texts) {
                try {
                    WhereClause w = WhereClause.parse(text, table, Map.of());
                    parsed.add(w);
                    rejected.add(null);
                    toSend.add(w.toSql());
                } catch (WhereClauseException e) {
                    parsed.add(null);
                    rejected.add(e.getMessage());
                    toSend.add("true");
                }
            }
            List<String[]> oracle = evaluateInPostgres(c, toSend);
            List<String> failures = new ArrayList<>();
            int cases = 0;
            for (int i = 0; i < texts.size(); i++) {
                String[] expected = oracle.get(i);
                WhereClause w = parsed.get(i);
                if (w == null) {
                    if (!allErrors(expected)) failures.add(texts.get(i) + "\n    Ampere rejected: " + rejected.get(i));
                    continue;
                }
                String[] regenerated = oracle.get(texts.size() + i);
                for (int r = 0; r < ROWS; r++) {
                    cases++;
                    String want = normalise(expected[r]);
                    String pgSql = normalise(regenerated[r]);
                    if (!want.equals(pgSql)) {
                        failures.add(texts.get(i) + "\n    row " + (r + 1) + ": toSql " + w.toSql() + " gives " + pgSql + ", original " + want);
                        break;
                    }
                    String compiled = ampere(w, postgresRows.get(r), true);
                    String interpreted = ampere(w, isoRows.get(r), false);
                    if (!want.equals(compiled) || !want.equals(interpreted)) {
                        failures.add(texts.get(i) + "\n    row " + (r + 1) + " " + java.util.Arrays.toString(postgresRows.get(r))
                                + "\n    postgres " + expected[r] + ", compiled " + compiled + ", interpreted(iso) " + interpreted);
                        break;
                    }
                }
            }
            if (!failures.isEmpty()) {
                fail("seed " + SEED + ": " + failures.size() + " of " + texts.size() + " expressions disagree ("
                        + cases + " row cases checked):\n" + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
            }
        }
    }

    private static boolean allErrors(String[] results) {
        for (String r : results) if (!r.startsWith("E:")) return false;
        return true;
    }

    private static String normalise(String pg) {
        if (pg.startsWith("E:")) return "E";
        return switch (pg) {
            case "true" -> "T";
            case "false" -> "F";
            case "N" -> "N";
            default -> "?" + pg;
        };
    }

    private static String ampere(WhereClause w, String[] row, boolean compiled) {
        try {
            Boolean b = compiled ? w.evaluate(i -> row[i]) : w.interpret(i -> row[i]);
            return b == null ? "N" : b ? "T" : "F";
        } catch (EvalException e) {
            return "E";
        }
    }

    private static List<String[]> evaluateInPostgres(Connection c, List<String> exprs) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT ev(x) FROM unnest(?::text[]) WITH ORDINALITY AS u(x, n) ORDER BY n")) {
            Array arr = c.createArrayOf("text", exprs.toArray());
            ps.setArray(1, arr);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add((String[]) rs.getArray(1).getArray());
            }
        }
        return out;
    }
}
