package dev.ampere.where;

import dev.ampere.postgres.TableInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The where engine's half of sub-selects (docs/protocol.md, "Sub-selects"): binding against the sub-select's
 * table, the regenerated SQL, SQL's three-valued IN and NOT IN over a set that may hold NULLs, the routing clauses
 * (relaxed, and narrowed to the current values so the filter index can look them up), and Electric's refusals.
 */
class SubqueryClauseTest {
    private static final TableInfo TASKS = named(TestTables.table(100, "id:int4", "project_id:int4", "assignee:int4",
            "title:text"), "tasks");
    private static final TableInfo PROJECTS = named(TestTables.table(200, "id:int4", "owner:int4", "name:text"),
            "projects");
    private static final TableInfo USERS = named(TestTables.table(300, "id:int4", "team:int4"), "users");
    private static final TableResolver RESOLVER = (schema, table) -> switch (table) {
        case "projects" -> PROJECTS;
        case "users" -> USERS;
        case "tasks" -> TASKS;
        default -> null;
    };

    private static TableInfo named(TableInfo t, String name) {
        return new TableInfo("public", name, t.oid(), t.columns(), t.primaryKey(), 'f', 'r');
    }

    private static WhereClause parse(String where, String... params) {
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < params.length; i++) p.put(String.valueOf(i + 1), params[i]);
        return WhereClause.parse(where, TASKS, p, RESOLVER);
    }

    /** Fixed sets per sub-select, keys as {@link Subquery#key} makes them (int4 values are longs). */
    private static final class Sets implements SubqueryValues {
        final List<Set<List<Object>>> sets = new ArrayList<>();

        Sets(List<List<Object>>... sets) {
            for (List<List<Object>> s : sets) this.sets.add(new LinkedHashSet<>(s));
        }

        @Override
        public boolean contains(int subquery, List<Object> key) {
            return sets.get(subquery).contains(key);
        }

        @Override
        public boolean isEmpty(int subquery) {
            return sets.get(subquery).isEmpty();
        }

        @Override
        public boolean hasNulls(int subquery) {
            return sets.get(subquery).stream().anyMatch(v -> v.contains(null));
        }

        @Override
        public Collection<List<Object>> values(int subquery) {
            return sets.get(subquery);
        }
    }

    private static List<Object> key(Object... parts) {
        return Arrays.asList(parts);
    }

    private static RowValues row(String... values) {
        return i -> values[i];
    }

    @Test
    void bindsAndRegeneratesTheSubSelect() {
        WhereClause w = parse("project_id IN (SELECT id FROM projects WHERE owner = $1) AND title <> 'x'", "7");
        assertTrue(w.hasSubqueries());
        assertEquals(1, w.subqueries().size());
        Subquery q = w.subqueries().getFirst();
        assertEquals(PROJECTS, q.table());
        assertEquals(List.of("id"), q.columns());
        assertEquals("SELECT \"id\" FROM \"public\".\"projects\" WHERE (\"owner\" = '7'::int4)", q.selectSql());
        assertEquals("((\"project_id\" IN (SELECT \"id\" FROM \"public\".\"projects\" WHERE (\"owner\" = '7'::int4)))"
                + " AND (\"title\" <> 'x'::text))", w.toSql());
        // Bound for subset queries: the sub-select's parameter is a placeholder too.
        BoundSql bound = w.toBoundSql();
        assertEquals(List.of("7"), bound.values());
        assertTrue(bound.sql().contains("\"owner\" = ?"), bound.sql());
        // Cosmetic differences collapse; identical sub-selects of one clause share one set.
        assertEquals(w.canonical(), parse("project_id in (select id from PROJECTS where owner=$1) and title<>'x'", "7")
                .canonical());
        assertEquals(1, parse("project_id IN (SELECT id FROM projects) OR assignee = 1 AND project_id IN"
                + " (SELECT id FROM projects)").subqueries().size());
    }

    @Test
    void nestedSubSelectsAndCompositeKeys() {
        WhereClause w = parse("project_id IN (SELECT id FROM projects WHERE owner IN (SELECT id FROM users WHERE team"
                + " = $1))", "3");
        Subquery outer = w.subqueries().getFirst();
        WhereClause inner = outer.where().orElseThrow();
        assertEquals(USERS, inner.subqueries().getFirst().table());
        assertTrue(outer.includes(row("1", "5", "p"), new Sets(List.of(key(5L)))));
        assertFalse(outer.includes(row("1", "6", "p"), new Sets(List.of(key(5L)))));
        WhereClause composite = parse("(project_id, assignee) IN (SELECT id, owner FROM projects)");
        assertEquals(List.of(1L, 5L), composite.subqueries().getFirst().key(row("1", "5", "p")));
        Sets pairs = new Sets(List.of(key(1L, 5L), key(2L, null)));
        assertEquals(Boolean.TRUE, composite.evaluate(row("9", "1", "5", "t"), pairs));
        assertEquals(Boolean.FALSE, composite.evaluate(row("9", "3", "5", "t"), pairs));
        // (2, 7) against (2, NULL): unknown, as in Postgres.
        assertNull(composite.evaluate(row("9", "2", "7", "t"), pairs));
        assertNull(composite.evaluate(row("9", "1", null, "t"), pairs));
    }

    @Test
    void inAndNotInAreThreeValuedAsInSql() {
        WhereClause in = parse("project_id IN (SELECT id FROM projects)");
        WhereClause notIn = parse("project_id NOT IN (SELECT id FROM projects)");
        Sets plain = new Sets(List.of(key(1L), key(2L)));
        Sets withNull = new Sets(List.of(key(1L), key((Object) null)));
        Sets empty = new Sets(List.of());
        assertEquals(Boolean.TRUE, in.evaluate(row("1", "1", null, null), plain));
        assertEquals(Boolean.FALSE, in.evaluate(row("1", "3", null, null), plain));
        assertEquals(Boolean.FALSE, notIn.evaluate(row("1", "1", null, null), plain));
        assertEquals(Boolean.TRUE, notIn.evaluate(row("1", "3", null, null), plain));
        // A NULL in the set: 3 NOT IN (1, NULL) is NULL, 1 IN (1, NULL) is TRUE.
        assertNull(notIn.evaluate(row("1", "3", null, null), withNull));
        assertEquals(Boolean.TRUE, in.evaluate(row("1", "1", null, null), withNull));
        // A NULL on the left: NULL unless the set is empty.
        assertNull(in.evaluate(row("1", null, null, null), plain));
        assertEquals(Boolean.FALSE, in.evaluate(row("1", null, null, null), empty));
        assertEquals(Boolean.TRUE, notIn.evaluate(row("1", null, null, null), empty));
        // Without the values, a clause with sub-selects cannot be evaluated.
        assertThrows(IllegalStateException.class, () -> in.evaluate(row("1", "1", null, null)));
    }

    @Test
    void routingClausesAdmitEveryRowTheShapeCouldNeed() {
        assertNull(parse("project_id IN (SELECT id FROM projects)").routingClause());
        assertNull(parse("project_id NOT IN (SELECT id FROM projects)").routingClause());
        WhereClause mixed = parse("assignee = 4 AND project_id IN (SELECT id FROM projects)");
        WhereClause relaxed = mixed.routingClause();
        assertFalse(relaxed.hasSubqueries());
        assertTrue(relaxed.includes(row("1", "9", "4", null)));
        assertFalse(relaxed.includes(row("1", "9", "5", null)));
        // Under NOT the condition relaxes the other way: NOT (x IN S) AND a = 4 routes rows with a = 4.
        WhereClause negated = parse("NOT (project_id IN (SELECT id FROM projects)) AND assignee = 4").routingClause();
        assertTrue(negated.includes(row("1", "9", "4", null)));
        assertFalse(negated.includes(row("1", "9", "3", null)));

        // Narrowed to the current values, the filter index can look the shape up by value.
        WhereClause w = parse("project_id IN (SELECT id FROM projects WHERE owner = 1) OR title = 'x'");
        WhereClause narrowed = w.routingClause(new Sets(List.of(key(3L), key(4L), key((Object) null))), 100);
        assertNotNull(IndexPlan.of(narrowed));
        assertTrue(narrowed.includes(row("1", "3", null, "y")));
        assertTrue(narrowed.includes(row("1", "8", null, "x")));
        assertFalse(narrowed.includes(row("1", "8", null, "y")));
        assertFalse(w.routingClause(new Sets(List.of()), 100).includes(row("1", "3", null, "y")));
        // Too many values to list: relaxed.
        assertNull(parse("project_id IN (SELECT id FROM projects)")
                .routingClause(new Sets(List.of(key(1L), key(2L), key(3L))), 2));
    }

    private static void refused(String where, String message) {
        WhereClauseException e = assertThrows(WhereClauseException.class, () -> parse(where));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void refusalsAreElectrics() {
        refused("title IN (SELECT id FROM projects)",
                "left side of `IN (SELECT ...)` has type text but subquery returns int4[]");
        refused("project_id + 1 IN (SELECT id FROM projects)",
                "currently, left side of `IN (SELECT ...)` can only be a column reference or a list of column references");
        refused("project_id IN (SELECT id FROM nowhere)", "relation \"nowhere\" does not exist");
        refused("project_id IN (SELECT id FROM projects) AND NOT (project_id IN (SELECT id FROM projects))",
                "a subquery dependency cannot be used with both positive and negative polarity in the same filter");
        refused("coalesce(project_id IN (SELECT id FROM projects), false)",
                "`IN (SELECT ...)` is only supported as a condition combined with AND, OR and NOT");
        // Subset where clauses (no resolver) refuse them as before.
        WhereClauseException e = assertThrows(WhereClauseException.class,
                () -> WhereClause.parse("project_id IN (SELECT id FROM projects)", TASKS, Map.of()));
        assertEquals("subqueries are not supported", e.reason());
        // A resolver that cannot reach the catalog is not the client's error.
        TableResolver down = (s, t) -> {
            throw new TableResolver.Unavailable("connection refused", null);
        };
        assertThrows(TableResolver.Unavailable.class,
                () -> WhereClause.parse("project_id IN (SELECT id FROM projects)", TASKS, Map.of(), down));
    }
}
