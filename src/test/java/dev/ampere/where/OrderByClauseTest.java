package dev.ampere.where;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ampere.postgres.TableInfo;

/** Subset ORDER BY (docs/protocol.md §1.3) and where clauses rendered with bound parameters. */
class OrderByClauseTest {
    static final TableInfo TABLE = WhereClauseTest.TABLE;

    private static String sql(String orderBy) {
        return OrderByClause.parse(orderBy, TABLE, 3).toSql();
    }

    private static String error(String orderBy) {
        return assertThrows(WhereClauseException.class, () -> OrderByClause.parse(orderBy, TABLE, 3)).getMessage();
    }

    @Test
    void plainColumnsWithDirectionsAndNullsAreRegenerated() {
        assertEquals("\"id\" ASC", sql("id ASC"));
        assertEquals("\"title\" DESC NULLS LAST, \"id\"", sql("TITLE desc nulls last ,id"));
        assertEquals("\"My Col\" NULLS FIRST", sql("\"My Col\" NULLS FIRST"));
        assertEquals("\"id\" ASC, 1", sql("id ASC, 1"), "a constant position breaks ties, as Electric allows");
        assertEquals("\"n\" USING >", sql("n USING >"));
        assertEquals("\"id\"", sql("id;"));
    }

    @Test
    void everythingButColumnsIsRefusedWithElectricsMessageAndLocation() {
        assertEquals("At location 18: FuncCall expressions are not allowed in ORDER BY clauses", error("pg_sleep(5)"));
        assertEquals("At location 18: TypeCast expressions are not allowed in ORDER BY clauses", error("CAST(id AS text)"));
        assertEquals("At location 21: A_Expr expressions are not allowed in ORDER BY clauses", error("id + 1"));
        assertEquals("At location 24: NullTest expressions are not allowed in ORDER BY clauses", error("title IS NULL"));
        assertEquals("At location 18: parameter $1 is not supported in ORDER BY clauses", error("$1 ASC, $2 DESC"));
        assertEquals("At location 18: SubLink expressions are not allowed in ORDER BY clauses",
                error("(SELECT count(*) FROM pg_tables)"));
        assertEquals("At location 18: CaseExpr expressions are not allowed in ORDER BY clauses",
                error("CASE WHEN (SELECT true) THEN 1 ELSE 0 END"));
        assertEquals("Unexpected `;` in order by", error("id; DROP TABLE users"));
        assertEquals("At location 18: unknown reference nope", error("nope ASC"));
        assertEquals("At location 18: unknown reference items.id", error("items.id"));
        assertEquals("At location 18: non-integer constant in ORDER BY", error("'x'"));
        assertEquals("At location 22: ORDER BY position 4 is not in select list", error("id, 4"));
        assertEquals("At location 21: syntax error at or near \"sideways\"", error("id sideways"));
        assertEquals("At location 21: syntax error at end of input", error("id,"));
    }

    @Test
    void paramsBecomePlaceholdersWithTheirTypes() {
        WhereClause w = WhereClause.parse("title = $1 AND (id > $2 OR mood = $3) AND n IS NOT NULL", TABLE,
                Map.of("1", "it's", "2", "7", "3", "happy"));
        BoundSql b = w.toBoundSql();
        assertEquals(List.of("it's", "7", "happy"), b.values());
        assertEquals(3, b.sql().chars().filter(c -> c == '?').count(), b.sql());
        assertEquals(-1, b.sql().indexOf("it''s"), "no value is inlined: " + b.sql());
        assertEquals(w.toSql().replace("'it''s'::text", "?::text").replace("'7'::int4", "?::int4")
                .replace("'happy'", "?"), b.sql());
    }
}
