package dev.ampere.where.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.ampere.postgres.TableInfo;
import dev.ampere.where.IndexPlan;
import dev.ampere.where.RowValues;
import dev.ampere.where.TestTables;
import dev.ampere.where.WhereClause;

/** The filter index must return exactly the shapes whose predicate matches, while touching only indexed columns. */
class ShapeFilterIndexTest {
    static final TableInfo TABLE = TestTables.table(42, "id:int4", "title:text", "n:numeric", "ids:int4[]", "tags:text[]");
    static final TableInfo OTHER = TestTables.table(43, "id:int4");

    private static WhereClause where(String text) {
        return WhereClause.parse(text, TABLE, Map.of());
    }

    @Test
    void plansCoverEqualityInAnyContainsAndConjunctions() {
        assertNotNull(IndexPlan.of(where("id = 5")));
        assertNotNull(IndexPlan.of(where("5 = id AND title ILIKE '%x%'")));
        assertNotNull(IndexPlan.of(where("title ILIKE '%x%' AND id IN (1, 2)")));
        assertNotNull(IndexPlan.of(where("id = 5 OR title = 'x'")));
        assertNotNull(IndexPlan.of(where("3 = ANY(ids)")));
        assertNotNull(IndexPlan.of(where("tags @> '{a,b}'")));
        assertEquals(3, IndexPlan.of(where("id IN (1, 2, NULL) OR n = 1.0")).keys().size());
        assertNotNull(IndexPlan.of(where("id = 5 OR title ILIKE 'x'")));
        assertNull(IndexPlan.of(where("id = 5 OR title ILIKE '%'")));
        assertNull(IndexPlan.of(where("NOT (id = 5)")));
        assertNull(IndexPlan.of(where("id NOT IN (1, 2)")));
        assertNull(IndexPlan.of(where("ids @> '{}'")));
    }

    @Test
    void randomShapesAndRowsAgreeWithEvaluatingEveryPredicate() {
        Random rnd = new Random(7);
        ShapeFilterIndex<Integer> index = new ShapeFilterIndex<>();
        Map<Integer, WhereClause> shapes = new HashMap<>();
        String[] templates = {"id = %d", "id IN (%d, %d)", "%d = ANY(ids)", "ids @> ARRAY[%d]", "n = %d.0",
                "title = 't%d'", "id = %d AND title LIKE 't%%'", "id = %d OR n = %d", "title ILIKE '%%%d%%'",
                "id > %d", "tags @> '{t%d}'", "'t%d' = ANY(tags) AND id <> %d"};
        for (int s = 0; s < 400; s++) {
            String t = templates[rnd.nextInt(templates.length)];
            WhereClause w = rnd.nextInt(40) == 0 ? null : where(String.format(t, rnd.nextInt(20), rnd.nextInt(20)));
            index.register(s, TABLE, w);
            shapes.put(s, w);
        }
        index.register(-1, OTHER, null);
        for (int s = 0; s < 400; s += 7) {
            index.remove(s);
            shapes.remove(s);
        }
        for (int r = 0; r < 300; r++) {
            String[] row = {Integer.toString(rnd.nextInt(20)), "t" + rnd.nextInt(20), rnd.nextInt(20) + ".00",
                    "{" + rnd.nextInt(20) + "," + rnd.nextInt(20) + ",NULL}", "{t" + rnd.nextInt(20) + "}"};
            if (rnd.nextInt(10) == 0) row[0] = null;
            RowValues values = i -> row[i];
            Set<Integer> expected = new LinkedHashSet<>();
            shapes.forEach((id, w) -> {
                if (w == null || w.matches(values)) expected.add(id);
            });
            assertEquals(expected, index.affectedShapes(42, values), () -> String.join("|", row));
        }
        assertEquals(Set.of(-1), index.affectedShapes(43, i -> "1"));
        assertEquals(Set.of(), index.affectedShapes(44, i -> "1"));
    }

    @Test
    void aChangeMatchingNoIndexedShapeReadsTheIndexedColumnOnceWhateverTheShapeCount() {
        ShapeFilterIndex<String> index = new ShapeFilterIndex<>();
        for (int n = 0; n < 10_000; n++) index.register("s" + n, TABLE, where("id = " + n));
        AtomicInteger reads = new AtomicInteger();
        RowValues miss = i -> { reads.incrementAndGet(); return i == 0 ? "123456" : "x"; };
        assertTrue(index.affectedShapes(42, miss).isEmpty());
        assertEquals(1, reads.get());
        assertEquals(Set.of("s77"), index.affectedShapes(42, i -> i == 0 ? "77" : null));
        index.remove("s77");
        assertFalse(index.affectedShapes(42, i -> i == 0 ? "77" : null).contains("s77"));
        assertEquals(9_999, index.size());
    }

    @Test
    void shapesSharingOneValueAreFoundAsTheyComeAndGo() {
        ShapeFilterIndex<String> index = new ShapeFilterIndex<>();
        RowValues five = i -> i == 0 ? "5" : "t";
        index.register("a", TABLE, where("id = 5"));
        assertEquals(Set.of("a"), index.affectedShapes(42, five));
        index.register("b", TABLE, where("id = 5 AND title = 't'"));
        index.register("c", TABLE, where("id = 5 AND title = 'u'"));
        assertEquals(Set.of("a", "b"), index.affectedShapes(42, five));
        index.remove("a");
        index.remove("c");
        assertEquals(Set.of("b"), index.affectedShapes(42, five));
        index.register("a", TABLE, where("id = 5"));
        assertEquals(Set.of("a", "b"), index.affectedShapes(42, five));
        index.remove("b");
        index.remove("a");
        assertEquals(Set.of(), index.affectedShapes(42, five));
        assertEquals(0, index.size());
    }

    @Test
    void numericKeysIgnoreTrailingZeros() {
        ShapeFilterIndex<String> index = new ShapeFilterIndex<>();
        index.register("a", TABLE, where("n = 1.5"));
        index.register("b", TABLE, where("n IN (2, 3)"));
        List<Set<String>> hits = new ArrayList<>();
        for (String n : new String[]{"1.50", "2.000", "3", "4"}) hits.add(index.affectedShapes(42, i -> i == 2 ? n : null));
        assertEquals(List.of(Set.of("a"), Set.of("b"), Set.of("b"), Set.of()), hits);
    }

    @Test
    void aClauseThatThrowsIsReportedAndTheOthersStillMatch() {
        ShapeFilterIndex<String> index = new ShapeFilterIndex<>();
        index.register("cast", TABLE, where("title::int4 = 1"));
        index.register("indexedCast", TABLE, where("id = 7 AND title::int4 = 1"));
        index.register("division", TABLE, where("1 / (id - 7) = 0"));
        index.register("plain", TABLE, where("id > 0"));
        index.register("all", TABLE, null);
        Map<String, RuntimeException> failed = new HashMap<>();
        Set<String> hit = index.affectedShapes(42, i -> i == 0 ? "7" : i == 1 ? "seven" : null, failed::put);
        assertEquals(Set.of("plain", "all"), hit);
        assertEquals(Set.of("cast", "indexedCast", "division"), failed.keySet());
        assertEquals("division by zero", failed.get("division").getMessage());
        failed.clear();
        assertEquals(Set.of("cast", "plain", "all"), index.affectedShapes(42, i -> i == 0 ? "8" : i == 1 ? "1" : null, failed::put));
        assertTrue(failed.isEmpty());
    }
}
