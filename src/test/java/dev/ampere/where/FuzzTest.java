package dev.ampere.where;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Random token soup must only ever produce a WhereClauseException (a 400), never another exception (a 500). */
class FuzzTest {
    private static final String[] TOKENS = {"id", "title", "n", "tags", "ids", "mood", "at", "flag", "\"My Col\"", "1",
            "-1", "2147483648", "1.5", "'x'", "'{1,2}'", "NULL", "TRUE", "AND", "OR", "NOT", "=", "<>", "<", "+", "-",
            "*", "/", "%", "^", "||", "@>", "&&", "(", ")", "[", "]", ":", "::", "int4", "text[]", "IS", "IN", "LIKE",
            "ILIKE", "BETWEEN", "ANY", "ALL", "ARRAY", ",", "$1", "$2", "lower", "coalesce", "CAST", "AS", "DISTINCT",
            "FROM", "ESCAPE", "SYMMETRIC", "interval", "date", "'2020-01-01'", "~", "|/", "@", ";", "$99999999999"};

    @Test
    void garbageNeverEscapesAsAnUnexpectedException() {
        Random rnd = new Random(99);
        List<String> crashes = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + rnd.nextInt(10);
            for (int k = 0; k < n; k++) sb.append(TOKENS[rnd.nextInt(TOKENS.length)]).append(rnd.nextBoolean() ? " " : "");
            String text = sb.toString();
            try {
                WhereClause w = WhereClause.parse(text, WhereClauseTest.TABLE, Map.of("1", "5"));
                w.matches(c -> c == 0 ? "1" : null);
                w.interpret(c -> c == 0 ? "1" : null);
            } catch (WhereClauseException | EvalException expected) {
                // fine: a 400, or a row that does not match
            } catch (RuntimeException e) {
                crashes.add(text + " -> " + e);
            }
        }
        if (!crashes.isEmpty()) fail(crashes.size() + " crashes:\n" + String.join("\n", crashes.subList(0, Math.min(30, crashes.size()))));
    }
}
