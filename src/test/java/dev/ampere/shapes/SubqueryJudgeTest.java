package dev.ampere.shapes;

import dev.ampere.changes.Change;
import dev.ampere.postgres.TableInfo;
import dev.ampere.where.WhereClause;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The consumer's judge of a shape with sub-selects, without a database (docs/protocol.md §2.1, "Sub-selects"): the
 * values each sub-select selects are kept by row key with a count per distinct value, so a change of the sub-select's
 * table moves the shape only when the set of distinct values changes (a second row with the same value, a key
 * change, a row changing between values that both stay), nested sets move it too, and changes of the shape's own
 * table get their facts from the whole clause.
 */
class SubqueryJudgeTest {
    private static final TableInfo TASKS = ShapeFixtures.table("public", "tasks", 100, List.of("id"),
            "id:int4", "project_id:int4", "title:text");
    private static final TableInfo PROJECTS = ShapeFixtures.table("public", "projects", 200, List.of("id"),
            "id:int4", "owner:int4");
    private static final TableInfo USERS = ShapeFixtures.table("public", "users", 300, List.of("id"),
            "id:int4", "team:int4");

    private static WhereClause where(String text) {
        return WhereClause.parse(text, TASKS, Map.of(), (schema, table) -> switch (table) {
            case "projects" -> PROJECTS;
            case "users" -> USERS;
            default -> null;
        });
    }

    private final ShapeFixtures.Tx tasks = new ShapeFixtures.Tx(TASKS, 1_000);
    private final ShapeFixtures.Tx projects = tasks.on(PROJECTS);
    private final ShapeFixtures.Tx users = tasks.on(USERS);

    private static String[] r(String... v) {
        return v;
    }

    private static List<String[]> rows(String[]... rows) {
        return List.of(rows);
    }

    @SafeVarargs
    private static List<List<String[]>> sets(List<String[]>... sets) {
        return List.of(sets);
    }

    /** A judge whose sets hold the given rows of each set (in {@link SubqueryValueSets#all()} order). */
    private SubqueryJudge judge(WhereClause w, List<List<String[]>> rowsPerSet) {
        SubqueryValueSets values = new SubqueryValueSets(w);
        List<SubqueryValueSets.ValueSet> sets = values.all();
        for (int i = 0; i < sets.size(); i++) {
            SubqueryValueSets.ValueSet set = sets.get(i);
            ShapeFixtures.Tx on = tasks.on(set.subquery().table());
            for (String[] row : rowsPerSet.get(i)) set.add(on.key(row), c -> row[c]);
        }
        return new SubqueryJudge(w, TASKS.oid(), values);
    }

    @Test
    void onlyAChangeOfTheDistinctValuesMovesTheShape() {
        // Projects 1 and 2 of owner 7: the set is {1, 2}.
        SubqueryJudge j = judge(where("project_id IN (SELECT id FROM projects WHERE owner = 7)"),
                sets(rows(r("1", "7"), r("2", "7"))));
        assertEquals(SubqueryJudge.NOT_OWN, j.judge(projects.insert("3", "8")), "another owner's project");
        assertEquals(SubqueryJudge.NOT_OWN, j.judge(projects.update(r("3", "8"), r("3", "9"))));
        assertEquals(SubqueryJudge.MOVED, j.judge(projects.update(r("3", "9"), r("3", "7"))), "3 joins the set");
        assertEquals(SubqueryJudge.MOVED, j.judge(projects.delete("1", "7")), "1 leaves it");
    }

    @Test
    void rowsSharingAValueAndKeyChanges() {
        // Owners of projects, selected through a non-key column: two projects of owner 5 give the value 5 twice.
        WhereClause w = where("project_id IN (SELECT owner FROM projects)");
        SubqueryJudge j = judge(w, sets(rows(r("1", "5"), r("2", "5"), r("3", "6"))));
        assertEquals(SubqueryJudge.NOT_OWN, j.judge(projects.delete("1", "5")), "5 is still owner of project 2");
        assertEquals(SubqueryJudge.NOT_OWN, j.judge(projects.update(r("2", "5"), r("9", "5"))),
                "a key change keeps the value");
        assertEquals(SubqueryJudge.MOVED, j.judge(projects.update(r("9", "5"), r("9", "6"))), "5 is gone");
        assertEquals(SubqueryJudge.NOT_OWN, j.judge(projects.insert("4", "6")), "6 again");
        assertEquals(SubqueryJudge.MOVED, j.judge(projects.insert("5", null)), "a NULL enters the set");
        assertEquals(SubqueryJudge.NOT_OWN, j.judge(projects.insert("6", null)), "a second NULL");
    }

    @Test
    void nestedSetsMoveTheShapeToo() {
        WhereClause w = where("project_id IN (SELECT id FROM projects WHERE owner IN (SELECT id FROM users WHERE team = 1))");
        // Outer set: projects of users of team 1 (user 10 → project 1); nested set: users of team 1 ({10}).
        SubqueryJudge j = judge(w, sets(rows(r("1", "10")), rows(r("10", "1"))));
        assertEquals(SubqueryJudge.NOT_OWN, j.judge(users.insert("11", "2")), "a user of another team");
        assertEquals(SubqueryJudge.MOVED, j.judge(users.update(r("11", "2"), r("11", "1"))), "user 11 joins team 1");
        // A project of a user now in team 1 is judged against the nested set as it stands.
        SubqueryJudge k = judge(w, sets(rows(r("1", "10")), rows(r("10", "1"), r("11", "1"))));
        assertEquals(SubqueryJudge.MOVED, k.judge(projects.insert("2", "11")), "project 2 of user 11 joins");
        assertEquals(SubqueryJudge.NOT_OWN, k.judge(projects.insert("3", "12")), "user 12 is in no team 1");
    }

    @Test
    void changesOfTheShapesOwnTableGetTheFactsOfTheWholeClause() {
        SubqueryJudge j = judge(where("project_id IN (SELECT id FROM projects WHERE owner = 7) AND title <> 'x'"),
                sets(rows(r("1", "7"))));
        assertEquals(SubqueryJudge.NEW_IN, j.judge(tasks.insert("1", "1", "a")));
        assertEquals(0, j.judge(tasks.insert("2", "2", "a")), "project 2 is not in the set");
        assertEquals(0, j.judge(tasks.insert("3", "1", "x")), "the rest of the clause still counts");
        assertEquals(SubqueryJudge.OLD_IN, j.judge(tasks.update(r("1", "1", "a"), r("1", "2", "a"))), "moves out");
        assertEquals(SubqueryJudge.OLD_IN | SubqueryJudge.NEW_IN, j.judge(tasks.update(r("1", "1", "a"), r("1", "1", "b"))));
        assertEquals(SubqueryJudge.OLD_IN, j.judge(tasks.delete("1", "1", "b")));
        Change truncate = tasks.truncate();
        assertEquals(0, j.judge(truncate));
    }
}
