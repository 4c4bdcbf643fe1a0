package dev.ampere.where;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ampere.postgres.TableInfo;

/** The public entry point: error messages and locations as Electric words them, params, SQL regeneration. */
class WhereClauseTest {
    static final TableInfo TABLE = TestTables.table(1000, "id:int4", "title:text", "n:numeric", "tags:text[]",
            "ids:int4[]", "mood:mood:e", "at:timestamptz", "flag:bool", "My Col:text");

    private static String error(String where, Map<String, String> params) {
        return assertThrows(WhereClauseException.class, () -> WhereClause.parse(where, TABLE, params)).getMessage();
    }

    private static String error(String where) {
        return error(where, Map.of());
    }

    private static WhereClause parse(String where) {
        return WhereClause.parse(where, TABLE, Map.of());
    }

    private static RowValues row(String... values) {
        return i -> i < values.length ? values[i] : null;
    }

    @Test
    void semanticErrorsCarryLocationsInTheUsersText() {
        assertEquals("At location 10: unknown reference nope", error("id = 1 OR nope = 2"));
        assertEquals("At location 3: Could not select an operator overload", error("id = title"));
        assertEquals("At location 0: unknown or unsupported function now/0", error("now() > at"));
        assertEquals("At location 3: argument of IS TRUE must be bool, not int4", error("id IS TRUE"));
        assertEquals("At location 0: argument of NOT must be bool, not int4", error("NOT id"));
        assertEquals("At location 4: unknown cast from type bool to type uuid", error("flag::uuid IS NULL"));
        assertEquals("At location 7: unsupported type jsonb", error("title::jsonb IS NULL"));
        assertEquals("At location 6: subqueries are not supported", error("id IN (SELECT 1)"));
        assertEquals("At location 20: Could not select an operator overload", error("mood = 'ok' OR mood < 'sad'"));
    }

    @Test
    void syntaxErrorsUseTheFullStatementOffsetLikeElectric() {
        assertEquals("At location 17: syntax error at or near \"x\"", error("1 x 1"));
        assertEquals("At location 20: syntax error at end of input", error("id = "));
        assertEquals("malformed query ending with SQL clauses", error("id = 1 ORDER BY id"));
        assertEquals("unescaped \";\" causing statement split", error("id = 1; DROP TABLE x"));
    }

    @Test
    void resultMustBeBoolean() {
        assertEquals("WHERE clause must return a boolean", error("id + 1"));
        assertEquals("WHERE clause must return a boolean", error("'abc'"));
    }

    @Test
    void paramsAreValidatedAndTypedFromContext() {
        assertEquals("Parameters can only use numbers as keys", error("id = $1", Map.of("a", "1")));
        assertEquals("Parameters must be numbered sequentially, starting from 1", error("id = $2", Map.of("2", "1")));
        assertEquals("At location 5: parameter $2 was not provided", error("id = $2", Map.of("1", "1")));
        assertEquals("At location 0: parameter value for $2 was not used", error("id = $1", Map.of("1", "1", "2", "x")));
        WhereClause w = WhereClause.parse("id = $1 AND title = $2", TABLE, Map.of("1", "5", "2", "it's"));
        assertEquals("((\"id\" = '5'::int4) AND (\"title\" = 'it''s'::text))", w.toSql());
        assertTrue(w.matches(row("5", "it's")));
        assertFalse(w.matches(row("6", "it's")));
        WhereClauseException bad = assertThrows(WhereClauseException.class,
                () -> WhereClause.parse("id = $1", TABLE, Map.of("1", "abc")));
        assertEquals("where", bad.field());
        assertEquals("params", assertThrows(WhereClauseException.class,
                () -> WhereClause.parse("id = $1", TABLE, Map.of("x", "1"))).field());
    }

    @Test
    void regeneratedSqlQuotesIdentifiersAndLiteralsAndIsCanonical() {
        WhereClause a = parse("\"My Col\"   =  'O''Brien'  and  id>=10");
        WhereClause b = parse("(\"My Col\" = 'O''Brien') AND (id >= 10)");
        assertEquals("((\"My Col\" = 'O''Brien'::text) AND (\"id\" >= 10))", a.toSql());
        assertEquals(a.canonical(), b.canonical());
        assertEquals("(\"mood\" = 'ok')", parse("mood = 'ok'").toSql());
        assertEquals("(\"tags\" @> '{a,\"b c\"}'::text[])", parse("tags @> '{a,\"b c\"}'").toSql());
    }

    @Test
    void referencedColumnsAreExactlyThoseRead() {
        assertArrayEquals(new int[]{0, 3}, parse("'x' = ANY(tags) OR id = 3").referencedColumns());
        int[] reads = new int[TABLE.columns().size()];
        WhereClause w = parse("title ILIKE '%x%'");
        w.matches(i -> { reads[i]++; return "box"; });
        assertArrayEquals(new int[]{0, 1, 0, 0, 0, 0, 0, 0, 0}, reads);
    }

    @Test
    void evaluationIsThreeValuedAndErrorsDoNotMatch() {
        WhereClause w = parse("title = 'a' OR n / 0 > 1");
        assertNull(parse("title = 'a'").evaluate(row("1", null)));
        assertTrue(w.matches(row("1", "a", "5")));
        assertThrows(EvalException.class, () -> w.evaluate(row("1", "b", "5")));
        assertFalse(w.matches(row("1", "b", "5")));
        assertFalse(parse("id = 1").matches(row("not a number")));
        assertTrue(parse("flag").matches(row("1", null, null, null, null, null, null, "t")));
        assertTrue(parse("flag IS UNKNOWN").matches(row("1")));
    }

    @Test
    void arraysEnumsAndTimestamps() {
        RowValues r = row("7", "Hello", "1.50", "{a,\"b c\",NULL}", "{{1,2},{3,4}}", "happy", "2024-01-02 03:04:05+00", "f");
        assertTrue(parse("'b c' = ANY(tags)").matches(r));
        assertTrue(parse("ids[2][1] = 3 AND array_ndims(ids) = 2").matches(r));
        assertTrue(parse("ids[1:1] = '{{1,2}}'").matches(r));
        assertTrue(parse("mood::text LIKE 'ha%' AND mood <> 'sad'").matches(r));
        assertTrue(parse("at > '2024-01-02 05:00:00+03' AND at + interval '1 day' > '2024-01-03'").matches(r));
        assertTrue(parse("n = 1.5 AND n BETWEEN SYMMETRIC 2 AND 1").matches(r));
        assertTrue(parse("title ILIKE 'h%' AND title NOT LIKE 'h%'").matches(r));
        assertTrue(parse("lower(title) || '!' = 'hello!' AND concat(id, flag) = '7f'").matches(r));
    }

    @Test
    void compiledAndInterpretedAgree() {
        RowValues r = row("7", "Hello", "1.50", "{a}", "{1,2}", "ok", null, "t");
        for (String where : new String[]{"id % 2 = 1", "coalesce(at, '2020-01-01') < '2021-01-01'", "NOT flag",
                "greatest(id, 10) = 10", "title IN ('x', NULL)", "ids && '{2,9}'"}) {
            WhereClause w = parse(where);
            assertEquals(w.interpret(r), w.evaluate(r), where);
        }
    }
}
