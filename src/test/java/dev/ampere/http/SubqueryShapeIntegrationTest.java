package dev.ampere.http;

import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Shapes whose where clause filters through a sub-select, over real HTTP against a real stack (docs/protocol.md,
 * "Sub-selects"): the snapshot holds exactly the rows Postgres selects, a change of the shape's own table arrives
 * live when its row passes the whole clause, a change of the sub-select's table that does not change its values
 * passes unseen, and one that does ends the shape with 409 must-refetch, after which the new shape holds the moved
 * rows. Also the 400s Electric gives for the forms it refuses.
 */
class SubqueryShapeIntegrationTest {
    private static RunningAmpere a;

    @BeforeAll
    static void start() throws Exception {
        a = new RunningAmpere("ELECTRIC_LONG_POLL_TIMEOUT", "2000");
        a.sql("CREATE TABLE projects (id int PRIMARY KEY, owner int, archived bool NOT NULL DEFAULT false)",
                "CREATE TABLE tasks (id int PRIMARY KEY, project_id int, title text)",
                "CREATE TABLE teams (id int PRIMARY KEY, users int[])",
                "INSERT INTO projects VALUES (1, 10, false), (2, 10, false), (3, 20, false), (4, NULL, true)",
                "INSERT INTO tasks VALUES (1, 1, 'a'), (2, 2, 'b'), (3, 3, 'c'), (4, NULL, 'd'), (5, 4, 'e')",
                "CREATE TABLE orgs (id int PRIMARY KEY, region text)",
                "CREATE TABLE depts (id int PRIMARY KEY, org_id int)",
                "CREATE TABLE staff (id int PRIMARY KEY, dept_id int, senior bool)",
                "INSERT INTO orgs VALUES (1, 'eu'), (2, 'us'), (3, 'eu')",
                "INSERT INTO depts VALUES (1, 1), (2, 2), (3, 3), (4, NULL)",
                "INSERT INTO staff VALUES (1, 1, true), (2, 2, true), (3, 3, false), (4, 4, true), (5, 1, false)");
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
    }

    private static Map<String, String> shape(String where, String... more) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("table", "tasks");
        p.put("offset", "-1");
        p.put("where", where);
        for (int i = 0; i < more.length; i += 2) p.put(more[i], more[i + 1]);
        return p;
    }

    /** The rows of a snapshot response, by key, as the JSON text of each value object. */
    private static int countInserts(String body) {
        int n = 0;
        for (int i = body.indexOf("\"operation\":\"insert\""); i >= 0; i = body.indexOf("\"operation\":\"insert\"", i + 1)) n++;
        return n;
    }

    private static HttpResponse<String> live(Map<String, String> initial, HttpResponse<String> last) throws Exception {
        Map<String, String> p = new LinkedHashMap<>(initial);
        p.put("offset", last.headers().firstValue("electric-offset").orElseThrow());
        p.put("handle", last.headers().firstValue("electric-handle").orElseThrow());
        p.put("live", "true");
        return a.shape(p);
    }

    @Test
    void rowsFollowTheSubSelectAndAMoveEndsTheShape() throws Exception {
        Map<String, String> p = shape("project_id IN (SELECT id FROM projects WHERE owner = $1)", "params[1]", "10");
        HttpResponse<String> r = a.shape(p);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(2, countInserts(r.body()), r.body());
        assertTrue(r.body().contains("\"key\":\"\\\"public\\\".\\\"tasks\\\"/\\\"1\\\"\""), r.body());
        assertTrue(r.body().contains("\"key\":\"\\\"public\\\".\\\"tasks\\\"/\\\"2\\\"\""), r.body());
        // Up to date first.
        r = live(p, r);
        while (r.statusCode() == 200 && !r.headers().firstValue("electric-up-to-date").isPresent()) r = live(p, r);

        // A task in a project of owner 10 arrives; one in another project does not.
        a.sql("INSERT INTO tasks VALUES (10, 3, 'not mine')", "INSERT INTO tasks VALUES (11, 1, 'mine')");
        HttpResponse<String> change = live(p, r);
        assertEquals(200, change.statusCode(), change.body());
        assertTrue(change.body().contains("\"id\":\"11\""), change.body());
        assertFalse(change.body().contains("\"id\":\"10\""), change.body());

        // A change of projects that leaves the sub-select's values as they were passes unseen.
        a.sql("UPDATE projects SET archived = true WHERE id = 1", "INSERT INTO tasks VALUES (12, 2, 'also mine')");
        HttpResponse<String> next = live(p, change);
        assertEquals(200, next.statusCode(), next.body());
        assertTrue(next.body().contains("\"id\":\"12\""), next.body());

        // Project 3 moves to owner 10: its tasks move in, so the shape ends and the client refetches.
        a.sql("UPDATE projects SET owner = 10 WHERE id = 3");
        HttpResponse<String> moved = live(p, next);
        assertEquals(409, moved.statusCode(), moved.body());
        assertTrue(moved.body().contains("must-refetch"), moved.body());
        // The definition still holds: the 409 points at a fresh shape of it, as a rotation does.
        String oldHandle = next.headers().firstValue("electric-handle").orElseThrow();
        String fresh = moved.headers().firstValue("electric-handle").orElseThrow();
        assertNotEquals(oldHandle, fresh);
        p.put("handle", fresh);
        HttpResponse<String> again = a.shape(p);
        assertEquals(fresh, again.headers().firstValue("electric-handle").orElseThrow());
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(6, countInserts(again.body()), again.body()); // tasks 1, 2, 3, 10, 11, 12
    }

    @Test
    void notInFollowsSqlNullSemantics() throws Exception {
        // projects.owner holds a NULL: x NOT IN (..., NULL) is never true, so the shape is empty.
        HttpResponse<String> r = a.shape(shape("project_id NOT IN (SELECT owner FROM projects)"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(0, countInserts(r.body()), r.body());
        // Archived projects hold no NULL id: tasks outside them, with a non-NULL project, are in.
        r = a.shape(shape("project_id NOT IN (SELECT id FROM projects WHERE archived) AND id < 10"));
        assertEquals(200, r.statusCode(), r.body());
        assertFalse(r.body().contains("\"id\":\"4\""), r.body()); // NULL project_id: NULL NOT IN (...) is NULL
        assertFalse(r.body().contains("\"id\":\"5\""), r.body()); // project 4 is archived
    }

    @Test
    void nestedAndCombinedSubSelects() throws Exception {
        Map<String, String> p = shape("senior AND dept_id IN (SELECT id FROM depts WHERE org_id IN"
                + " (SELECT id FROM orgs WHERE region = $1)) OR id = 2", "params[1]", "eu");
        p.put("table", "staff");
        HttpResponse<String> r = a.shape(p);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(2, countInserts(r.body()), r.body()); // staff 1 (senior, dept 1 of an eu org) and staff 2
        assertTrue(r.body().contains("\"id\":\"1\""), r.body());
        assertTrue(r.body().contains("\"id\":\"2\""), r.body());
        r = live(p, r);
        while (r.statusCode() == 200 && !r.headers().firstValue("electric-up-to-date").isPresent()) r = live(p, r);
        // The innermost set changes (org 2 moves to eu): the shape ends.
        a.sql("UPDATE orgs SET region = 'eu' WHERE id = 2");
        HttpResponse<String> moved = live(p, r);
        assertEquals(409, moved.statusCode(), moved.body());
        p.put("table", "tasks");
        r = a.shape(shape("(id, project_id) IN (SELECT id, id FROM projects)"));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"id\":\"1\""), r.body());
    }

    /**
     * Follows the shape as a client does until a response holds {@code until} (or, with null, until it is up to date):
     * from {@code offset=-1}, refetching on 409. Around a schema change a shape may be made from metadata the stack
     * has not yet replaced and then end when the change reaches it: a client meets more than one 409 then.
     */
    private static HttpResponse<String> follow(Map<String, String> p, String until) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        Map<String, String> q = new LinkedHashMap<>(p);
        HttpResponse<String> r = a.shape(q);
        while (System.nanoTime() < deadline) {
            if (r.statusCode() == 409) {
                q = new LinkedHashMap<>(p);
                r = a.shape(q);
                continue;
            }
            assertEquals(200, r.statusCode(), r.body());
            boolean done = until == null ? r.headers().firstValue("electric-up-to-date").isPresent()
                    : r.body().contains(until);
            if (done) return r;
            boolean upToDate = r.headers().firstValue("electric-up-to-date").isPresent();
            Map<String, String> next = new LinkedHashMap<>(p);
            next.put("offset", r.headers().firstValue("electric-offset").orElseThrow());
            next.put("handle", r.headers().firstValue("electric-handle").orElseThrow());
            if (upToDate) next.put("live", "true");
            r = a.shape(next);
        }
        throw new AssertionError("the shape did not get " + (until == null ? "up to date" : until) + " in 30 s");
    }

    @Test
    void truncatingOrAlteringTheSubSelectsTableEndsTheShape() throws Exception {
        a.sql("CREATE TABLE groups2 (id int PRIMARY KEY, active bool)", "CREATE TABLE members2 (id int PRIMARY KEY, grp int)",
                "INSERT INTO groups2 VALUES (1, true), (2, false)", "INSERT INTO members2 VALUES (1, 1), (2, 2), (3, 1)");
        Map<String, String> p = shape("grp IN (SELECT id FROM groups2 WHERE active)");
        p.put("table", "members2");
        HttpResponse<String> r = follow(p, null);
        a.sql("TRUNCATE groups2");
        assertEquals(409, live(p, r).statusCode(), "a truncate of the sub-select's table ends the shape");
        a.sql("INSERT INTO groups2 VALUES (1, true)");
        follow(p, "\"id\":\"3\""); // group 1 is active again: members 1 and 3 are in
        r = follow(p, null);
        a.sql("ALTER TABLE groups2 ADD COLUMN note text", "INSERT INTO groups2 VALUES (5, false, 'x')");
        assertEquals(409, live(p, r).statusCode(), "a schema change of the sub-select's table ends the shape");
        // Afterwards the shape is made again from the new metadata, and changes of its own table reach it.
        a.sql("INSERT INTO members2 VALUES (4, 1)");
        follow(p, "\"id\":\"4\"");
    }

    private static void assert400(Map<String, String> p, String message) throws Exception {
        HttpResponse<String> r = a.shape(p);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains(message.replace("\"", "\\\"")), r.body());
    }

    @Test
    void refusedFormsAre400s() throws Exception {
        assert400(shape("title IN (SELECT id FROM projects)"),
                "left side of `IN (SELECT ...)` has type text but subquery returns int4[]");
        assert400(shape("(id, title) IN (SELECT id, owner FROM projects)"),
                "left side of `IN (SELECT ...)` has type row of (int4, text) but subquery returns row of (int4, int4)[]");
        assert400(shape("id + 1 IN (SELECT id FROM projects)"),
                "currently, left side of `IN (SELECT ...)` can only be a column reference or a list of column references");
        assert400(shape("project_id IN (SELECT id FROM nowhere)"), "relation \"nowhere\" does not exist");
        assert400(shape("project_id IN (SELECT ghost FROM projects)"), "unknown reference ghost");
        assert400(shape("project_id IN (SELECT id FROM projects) OR NOT project_id IN (SELECT id FROM projects)"),
                "a subquery dependency cannot be used with both positive and negative polarity in the same filter");
        assert400(shape("(project_id IN (SELECT id FROM projects)) IS TRUE"),
                "`IN (SELECT ...)` is only supported as a condition combined with AND, OR and NOT");
        assert400(shape("project_id IN (SELECT id FROM projects WHERE owner = $1)"), "parameter $1 was not provided");
        StringBuilder wide = new StringBuilder("project_id IN (SELECT id FROM projects)");
        for (int i = 0; i < 11; i++) wide.append(" AND (id = ").append(i).append(" OR title = 'x").append(i).append("')");
        assert400(shape(wide.toString()),
                "WHERE clause too complex for DNF decomposition (2048 disjuncts exceeds limit of 100)");
        HttpResponse<String> compaction = a.shape(shape("project_id IN (SELECT id FROM projects)",
                "experimental_compaction", "true"));
        assertEquals(400, compaction.statusCode(), compaction.body());
        assertTrue(compaction.body().contains("\"experimental_compaction\":[\"can't be enabled for shapes with subqueries\"]"),
                compaction.body());
        assertEquals(200, a.shape(shape("project_id = 1", "experimental_compaction", "true")).statusCode());
        Map<String, String> subset = shape("project_id IN (SELECT id FROM projects)");
        subset.put("subset__where", "id IN (SELECT id FROM projects)");
        assert400(subset, "Subqueries are not allowed in subsets");
    }
}
