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

/**
 * LIKE and ILIKE through the filter index's n-gram indexes: the index must return exactly the shapes whose
 * compiled predicate matches (brute force over every shape and row), and evaluate only candidates.
 */
class LikeIndexTest {
    static final TableInfo TABLE = TestTables.table(42, "id:int4", "title:text", "name:varchar", "n:int4", "tags:text[]");

    /** Characters whose case mapping is unusual, a surrogate pair, and the pattern metacharacters. */
    static final String[] ALPHABET = {"a", "b", "A", "B", "i", "I", "İ", "ı", "ß", "ẞ", "s", "S", "Σ", "σ", "ς",
            "K", "k", "ǅ", "ǆ", "Ǆ", "😀", "𐐀", "𐐨", " ", "%", "_", "\\", "#"};

    private static WhereClause where(String text) {
        return WhereClause.parse(text, TABLE, Map.of());
    }

    private static IndexPlan plan(String text) {
        return IndexPlan.of(where(text));
    }

    @Test
    void plansTakeTheLiteralRunsOfConstantPatterns() {
        assertEquals(List.of(new IndexPlan.Fragments(1, false, List.of("abc"))), plan("title LIKE '%abc%'").fragments());
        assertEquals(List.of("ab%c", "d"), plan("title LIKE 'ab\\%c_d%'").fragments().get(0).runs());
        assertEquals(List.of("ab\\d"), plan("title LIKE 'ab\\%d' ESCAPE '%'").fragments().get(0).runs());
        assertEquals(List.of("a\\b"), plan("title LIKE '%a\\b%' ESCAPE ''").fragments().get(0).runs());
        assertEquals(List.of("a_b"), plan("title LIKE '%a#_b%' ESCAPE '#'").fragments().get(0).runs());
        assertEquals(List.of("istanbul σς ß"), plan("name ILIKE 'İSTANBUL Σς ß%'").fragments().get(0).runs());
        assertTrue(plan("name ILIKE 'x'").fragments().get(0).folded());
        IndexPlan lowered = plan("lower(title) LIKE '%AbC%'");
        assertEquals(List.of(new IndexPlan.Fragments(1, true, List.of("AbC"))), lowered.fragments());

        // AND prefers hash keys, then the longest literal; OR mixes hash keys and literals.
        IndexPlan and = plan("title ILIKE '%abcdef%' AND id = 3");
        assertEquals(1, and.keys().size());
        assertEquals(0, and.fragments().size());
        assertEquals(List.of("abcd"), plan("title ILIKE '%ab%' AND name LIKE 'abcd%'").fragments().get(0).runs());
        IndexPlan or = plan("id = 5 OR title ILIKE 'x' OR name LIKE '%y%'");
        assertEquals(1, or.keys().size());
        assertEquals(2, or.fragments().size());

        for (String none : new String[]{"title LIKE '%'", "title LIKE '_%_'", "title LIKE ''", "title NOT LIKE '%x%'",
                "title LIKE '%x\\'", "title LIKE '%x%' ESCAPE 'ab'", "title LIKE NULL", "title LIKE title",
                "upper(title) LIKE '%X%'", "lower(title) ILIKE '%x%'", "n::text LIKE '1%'",
                "title ILIKE '%x%' OR n > 3", "NOT (title LIKE '%x%')"}) {
            assertNull(plan(none), none);
        }
        assertNotNull(plan("title ILIKE '%x%' AND n > 3"));
    }

    @Test
    void randomPatternsAndValuesAgreeWithEvaluatingEveryPredicate() {
        Random rnd = new Random(11);
        ShapeFilterIndex<Integer> index = new ShapeFilterIndex<>();
        Map<Integer, WhereClause> shapes = new HashMap<>();
        String[] templates = {"title LIKE '%1$s'", "title ILIKE '%1$s'", "name ILIKE '%1$s'", "name LIKE '%1$s'",
                "title LIKE '%1$s' ESCAPE '#'", "title ILIKE '%1$s' ESCAPE ''", "lower(title) LIKE '%1$s'",
                "title ILIKE '%1$s' AND id = %3$d", "title LIKE '%1$s' OR id = %3$d",
                "title ILIKE '%1$s' OR name LIKE '%2$s'", "title ILIKE '%1$s' AND n > %3$d",
                "(title ILIKE '%1$s' OR id = %3$d) AND name ILIKE '%2$s'", "title ILIKE '%1$s' AND title LIKE '%2$s'",
                "'t' = ANY(tags) OR title LIKE '%1$s'", "title ILIKE '%%%1$s%%'", "name LIKE '%1$s%%'"};
        int next = 0;
        for (int round = 0; round < 6; round++) {
            for (int s = 0; s < 150; s++) {
                String t = templates[rnd.nextInt(templates.length)];
                String sql = String.format(t, pattern(rnd), pattern(rnd), rnd.nextInt(5));
                WhereClause w;
                try {
                    w = where(sql);
                } catch (RuntimeException e) {
                    continue; // e.g. a pattern the binder rejects; not this test's concern
                }
                index.register(next, TABLE, w);
                shapes.put(next++, w);
            }
            List<Integer> ids = new ArrayList<>(shapes.keySet());
            for (int k = 0; k < ids.size() / 3; k++) {
                int id = ids.get(rnd.nextInt(ids.size()));
                index.remove(id);
                shapes.remove(id);
            }
            for (int r = 0; r < 200; r++) {
                String[] row = {Integer.toString(rnd.nextInt(5)), value(rnd), value(rnd), Integer.toString(rnd.nextInt(6)),
                        rnd.nextBoolean() ? "{t}" : "{u}"};
                if (rnd.nextInt(8) == 0) row[1] = null;
                if (rnd.nextInt(8) == 0) row[2] = null;
                assertAgrees(index, shapes, row);
            }
        }
        for (Integer id : new ArrayList<>(shapes.keySet())) index.remove(id);
        assertEquals(0, index.size());
        assertFalse(index.hasShapes(42));
    }

    @Test
    void caseFoldingAgreesWithIlikeForEveryCasedCodePoint() {
        List<String> cased = new ArrayList<>();
        for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
            if (Character.isSurrogate((char) c) && c <= 0xFFFF) continue;
            if (Character.toLowerCase(c) != c || Character.toUpperCase(c) != c || Character.toTitleCase(c) != c) {
                cased.add(Character.toString(c));
            }
        }
        assertTrue(cased.size() > 2000, "cased code points: " + cased.size());
        ShapeFilterIndex<Integer> index = new ShapeFilterIndex<>();
        Map<Integer, WhereClause> shapes = new HashMap<>();
        for (int i = 0; i < cased.size(); i++) {
            String c = cased.get(i);
            WhereClause w = where(i % 2 == 0 ? "title ILIKE '%" + c + "%'" : "lower(title) LIKE '" + c + "%'");
            index.register(i, TABLE, w);
            shapes.put(i, w);
        }
        for (String c : cased) {
            int cp = c.codePointAt(0);
            String v = new StringBuilder().appendCodePoint(Character.toUpperCase(cp)).append(c)
                    .appendCodePoint(Character.toTitleCase(cp)).append(c.toUpperCase()).append(c.toLowerCase()).toString();
            assertAgrees(index, shapes, new String[]{"1", v, null, "1", null});
        }
    }

    @Test
    void onlyCandidatesWhoseLiteralOccursAreEvaluatedWhateverTheShapeCount() {
        ShapeFilterIndex<String> index = new ShapeFilterIndex<>();
        for (int n = 0; n < 10_000; n++) index.register("s" + n, TABLE, where("title ILIKE '%w" + n + "x%'"));
        AtomicInteger reads = new AtomicInteger();
        String[] value = {"nothing to see W1 x2"};
        RowValues row = i -> {
            reads.incrementAndGet();
            return i == 1 ? value[0] : null;
        };
        assertTrue(index.affectedShapes(42, row).isEmpty());
        assertEquals(1, reads.get(), "the index's own read only");
        value[0] = "see W77X and w77x again";
        reads.set(0);
        assertEquals(Set.of("s77"), index.affectedShapes(42, row));
        assertEquals(2, reads.get(), "one predicate evaluated, once");
        index.remove("s77");
        assertTrue(index.affectedShapes(42, row).isEmpty());
        for (int n = 0; n < 10_000; n++) index.remove("s" + n);
        assertEquals(0, index.size());
    }

    @Test
    void aFailingPredicateIsReportedOncePerChange() {
        ShapeFilterIndex<String> index = new ShapeFilterIndex<>();
        index.register("bad", TABLE, where("title LIKE '%ab%' AND title LIKE 'x\\'"));
        index.register("or", TABLE, where("title LIKE '%ab%' OR title LIKE '%cd%' OR id = 1"));
        List<String> failed = new ArrayList<>();
        Set<String> hit = index.affectedShapes(42, i -> i == 1 ? "xab cd ab" : "1", (s, e) -> failed.add(s));
        assertEquals(Set.of("or"), hit);
        assertEquals(List.of("bad"), failed);
    }

    @Test
    void aValueTooLongToDecodeMakesEveryShapeOfTheColumnACandidate() {
        ShapeFilterIndex<Integer> index = new ShapeFilterIndex<>();
        Map<Integer, WhereClause> shapes = new HashMap<>();
        String[] sqls = {"title LIKE '%abc%'", "title ILIKE '%ABC'", "title LIKE 'x%'", "title LIKE '%zzz%'", "id = 1"};
        for (int i = 0; i < sqls.length; i++) {
            shapes.put(i, where(sqls[i]));
            index.register(i, TABLE, shapes.get(i));
        }
        String big = "x" + "y".repeat(FragmentIndex.LONGEST_DECODED) + "abc";
        assertAgrees(index, shapes, new String[]{"2", big, null, "1", null});
        assertAgrees(index, shapes, new String[]{"1", big.substring(1), null, "1", null});
    }

    private static void assertAgrees(ShapeFilterIndex<Integer> index, Map<Integer, WhereClause> shapes, String[] row) {
        RowValues values = i -> row[i];
        Set<Integer> expected = new LinkedHashSet<>();
        shapes.forEach((id, w) -> {
            if (w.matches(values)) expected.add(id);
        });
        assertEquals(expected, index.affectedShapes(42, values), () -> String.join("|", java.util.Arrays.asList(row).toString()));
    }

    private static String pattern(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int len = rnd.nextInt(7);
        for (int i = 0; i < len; i++) sb.append(ALPHABET[rnd.nextInt(ALPHABET.length)]);
        return sb.toString();
    }

    private static String value(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int len = rnd.nextInt(10);
        for (int i = 0; i < len; i++) {
            // Mostly letters, so that patterns match often enough to be tested.
            String c = ALPHABET[rnd.nextInt(rnd.nextInt(4) == 0 ? ALPHABET.length : 20)];
            sb.append(c);
        }
        return sb.toString();
    }
}
