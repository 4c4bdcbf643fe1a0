package dev.ampere.where;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * {@code x [NOT] IN (SELECT ...)}: the parser reads Electric's sub-select form into {@link Ast.InSubquery} and
 * refuses every other sub-select where it starts; the where clause as a whole still refuses the form (shapes do not
 * serve it yet) with the message and location it had before.
 */
class SubselectParserTest {
    private static Ast.InSubquery in(Ast ast) {
        return assertInstanceOf(Ast.InSubquery.class, ast);
    }

    private static String parseError(String where) {
        return assertThrows(WhereClauseException.class, () -> Parser.parse(where)).getMessage();
    }

    private static String whereError(String where) {
        return assertThrows(WhereClauseException.class,
                () -> WhereClause.parse(where, WhereClauseTest.TABLE, Map.of("1", "7"))).getMessage();
    }

    @Test
    void readsTheMembershipForm() {
        String text = "project_id IN (SELECT project_id FROM memberships WHERE user_id = $1)";
        Ast.InSubquery sub = in(Parser.parse(text));
        assertEquals(new Ast.ColumnRef(List.of("project_id"), 0), sub.arg());
        assertEquals(false, sub.negated());
        assertEquals(text.indexOf("IN"), sub.pos()); // the SubLink's location in Postgres's grammar
        assertEquals(List.of("project_id"), sub.select().columns());
        assertNull(sub.select().schema());
        assertEquals("memberships", sub.select().table());
        assertEquals(text.indexOf("SELECT"), sub.select().pos());
        Ast.Binary cond = assertInstanceOf(Ast.Binary.class, sub.select().where());
        assertEquals("=", cond.op());
        assertEquals(new Ast.Param(1, text.indexOf('$')), cond.right());
    }

    @Test
    void readsNegationsQualifiedAndQuotedNamesAndNoWhere() {
        Ast.InSubquery notIn = in(Parser.parse("a NOT IN (select \"B c\" from \"My Schema\".t)"));
        assertTrue(notIn.negated());
        assertEquals(List.of("B c"), notIn.select().columns());
        assertEquals("My Schema", notIn.select().schema());
        assertEquals("t", notIn.select().table());
        assertNull(notIn.select().where());

        Ast.Not not = assertInstanceOf(Ast.Not.class, Parser.parse("NOT (a IN (SELECT b FROM t))"));
        assertEquals(false, in(not.arg()).negated());

        assertEquals(List.of("x", "y"), in(Parser.parse("a IN (SELECT x, y FROM t)")).select().columns());
    }

    @Test
    void readsCompositeKeysAsARowOnTheLeft() {
        Ast.InSubquery sub = in(Parser.parse("(a, \"B\") IN (SELECT x, y FROM t WHERE z = $1)"));
        Ast.Row row = assertInstanceOf(Ast.Row.class, sub.arg());
        assertEquals(List.of(new Ast.ColumnRef(List.of("a"), 1), new Ast.ColumnRef(List.of("B"), 4)), row.elements());
        assertEquals(0, row.pos());
        assertEquals(List.of("x", "y"), sub.select().columns());
        assertTrue(in(Parser.parse("(a, b) NOT IN (SELECT x, y FROM t)")).negated());
        // Anywhere else a row is still refused, now with its own message rather than a syntax error at the comma.
        assertEquals("At location 0: row expressions are not supported", parseError("(id, title) = (1, 'x')"));
        assertEquals("At location 0: row expressions are not supported", parseError("(a, b) IN ((1, 2))"));
        // ORDER BY reads no sub-select and so no row either.
        assertEquals("At location 18: RowExpr expressions are not allowed in ORDER BY clauses",
                assertThrows(WhereClauseException.class,
                        () -> OrderByClause.parse("(a, b) IN (SELECT x, y FROM t)", WhereClauseTest.TABLE, 1))
                        .getMessage());
    }

    @Test
    void combinesWithAndOrAndNestsThreeLevels() {
        Ast.Or or = assertInstanceOf(Ast.Or.class,
                Parser.parse("id = 1 OR a IN (SELECT b FROM t) AND c NOT IN (SELECT d FROM u WHERE e > 2)"));
        Ast.And and = assertInstanceOf(Ast.And.class, or.right());
        in(and.left());
        assertTrue(in(and.right()).negated());

        Ast.InSubquery l1 = in(Parser.parse(
                "a IN (SELECT b FROM t1 WHERE c IN (SELECT d FROM t2 WHERE e IN (SELECT f FROM t3 WHERE g = $2)))"));
        Ast.InSubquery l2 = in(l1.select().where());
        Ast.InSubquery l3 = in(l2.select().where());
        assertEquals("t3", l3.select().table());
        assertEquals(new Ast.Param(2, 0).number(), assertInstanceOf(Ast.Param.class,
                assertInstanceOf(Ast.Binary.class, l3.select().where()).right()).number());
    }

    @Test
    void refusesEveryOtherSubselectWhereItStarts() {
        for (String text : List.of(
                "id IN (SELECT 1)",
                "id IN (SELECT b + 1 FROM t)",
                "id IN (SELECT * FROM t)",
                "id IN (SELECT b FROM t x)",
                "id IN (SELECT b FROM t, u)",
                "id IN (SELECT b FROM t JOIN u ON true)",
                "id IN (SELECT b FROM t WHERE c = 1 ORDER BY b)",
                "id IN (SELECT b FROM t LIMIT 1)",
                "id IN (SELECT DISTINCT b FROM t)",
                "id IN (SELECT b)",
                "id IN (WITH x AS (SELECT 1) SELECT * FROM x)",
                "id IN (VALUES (1))")) {
            assertEquals("At location 6: subqueries are not supported", parseError(text), text);
        }
        assertEquals("At location 9: subqueries are not supported", parseError("id = ANY (SELECT b FROM t)"));
        assertEquals("At location 0: subqueries are not supported", parseError("EXISTS (SELECT b FROM t)"));
    }

    @Test
    void clausesWithoutTableLookupRefuseTheFormAtItsSubLink() {
        // Where no sub-select may be served (a subset's where clause), Electric's form is refused where Postgres
        // locates the SubLink: its IN, or the NOT of NOT IN.
        assertEquals("At location 3: subqueries are not supported", whereError("id IN (SELECT b FROM t)"));
        assertEquals("At location 3: subqueries are not supported",
                whereError("id NOT IN (SELECT b FROM t WHERE c = $1)"));
        assertEquals("At location 12: subqueries are not supported",
                whereError("(id, title) NOT IN (SELECT b, c FROM t)"));
        // The whole text is read first, as libpg_query does: a syntax error after the sub-select wins.
        assertEquals("At location 45: syntax error at or near \"x\"", whereError("id IN (SELECT b FROM t) AND 1 x"));
    }
}
