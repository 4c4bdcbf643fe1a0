package dev.ampere.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ampere.config.SessionSettings;
import dev.ampere.testing.TestDatabase;

/**
 * Tags computed in Java (from replicated values) and in Postgres (in snapshot and move-in queries) agree byte
 * for byte, for single and composite tests, NULL against the text 'NULL', quotes, backslashes and non-ASCII text.
 */
class SubqueryTagsTest {
    private static final String STACK = "single_stack";
    private static final String HANDLE = "12345-1700000000000";
    private static String db;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.createDatabase();
        try (Connection c = TestDatabase.connect(db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id int4 PRIMARY KEY, v text, \"we\"\"ird:col\" int8, b bool)");
            s.execute("INSERT INTO t VALUES (1, 'x', 7, true), (2, NULL, NULL, NULL), (3, 'NULL', -1, false),"
                    + " (4, '', 0, true), (5, E'it''s a \\\\ /ü😀', 9223372036854775807, false)");
        }
    }

    @Test
    void knownValueMatchesElectricsDefinition() {
        // md5("single_stack" + handle + "v:42"), computed independently of this class.
        assertEquals(md5Of(STACK + HANDLE + "v:42"), SubqueryTags.valueHash(STACK, HANDLE, "42"));
        assertEquals(md5Of(STACK + HANDLE + "NULL"), SubqueryTags.valueHash(STACK, HANDLE, null));
        assertNotEquals(SubqueryTags.valueHash(STACK, HANDLE, null), SubqueryTags.valueHash(STACK, HANDLE, "NULL"));
        assertEquals(md5Of(STACK + HANDLE + "a:v:1b:NULL"),
                SubqueryTags.compositeHash(STACK, HANDLE, List.of("a", "b"), java.util.Arrays.asList("1", null)));
    }

    @Test
    void postgresComputesTheSameTagsAsJava() throws Exception {
        String sql = "SELECT v, \"we\"\"ird:col\"::text, b::text, "
                + SubqueryTags.valueHashSql(STACK, HANDLE, "v") + ", "
                + SubqueryTags.valueHashSql(STACK, HANDLE, "we\"ird:col") + ", "
                + SubqueryTags.compositeHashSql(STACK, HANDLE, List.of("v", "we\"ird:col")) + ", "
                + SubqueryTags.valueHashSql(STACK, HANDLE, "b")
                + " FROM t ORDER BY id";
        int rows = 0;
        try (Connection c = TestDatabase.connect(db); Statement s = c.createStatement()) {
            for (String set : SessionSettings.SET_STATEMENTS) s.execute(set);
            try (ResultSet r = s.executeQuery(sql)) {
                while (r.next()) {
                    rows++;
                    String v = r.getString(1);
                    String n = r.getString(2);
                    assertEquals(SubqueryTags.valueHash(STACK, HANDLE, v), r.getString(4));
                    assertEquals(SubqueryTags.valueHash(STACK, HANDLE, n), r.getString(5));
                    List<String> both = new ArrayList<>();
                    both.add(v);
                    both.add(n);
                    assertEquals(SubqueryTags.compositeHash(STACK, HANDLE, List.of("v", "we\"ird:col"), both),
                            r.getString(6));
                    assertEquals(SubqueryTags.valueHash(STACK, HANDLE, r.getString(3)), r.getString(7));
                }
            }
        }
        assertEquals(5, rows);
    }

    private static String md5Of(String s) {
        try {
            StringBuilder hex = new StringBuilder();
            for (byte b : java.security.MessageDigest.getInstance("MD5").digest(s.getBytes("UTF-8"))) {
                hex.append(String.format("%02x", b & 0xff));
            }
            return hex.toString();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
