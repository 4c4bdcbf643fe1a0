package dev.ampere.postgres;
import dev.ampere.changes.Relation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class RowKeysTest {
    private static final Relation REL = new Relation(1, "public", "items", 'f', List.of(
            new Relation.Column("id", 23, -1, true), new Relation.Column("name", 25, -1, true),
            new Relation.Column("n", 23, -1, true)));

    @Test
    void prefixQuotesNames() {
        assertEquals("\"public\".\"items\"", RowKeys.prefix("public", "items"));
        assertEquals("\"my schema\".\"a\"\"b\"", RowKeys.prefix("my schema", "a\"b"));
    }

    @Test
    void singleKey() {
        assertEquals("\"public\".\"items\"/\"42\"",
                RowKeys.key(RowKeys.prefix("public", "items"), new String[]{"42", "x", null}, new int[]{0}));
    }

    @Test
    void slashesDoubledNullsAsUnderscoreInKeyOrder() {
        String key = RowKeys.key("\"s\".\"t\"", new String[]{"a/b//c", null, "7"}, new int[]{2, 0, 1});
        assertEquals("\"s\".\"t\"/\"7\"/\"a//b////c\"/_", key);
    }

    @Test
    void emptyStringIsNotNull() {
        assertEquals("\"s\".\"t\"/\"\"", RowKeys.key("\"s\".\"t\"", new String[]{""}, new int[]{0}));
    }

    @Test
    void keyPositions() {
        assertArrayEquals(new int[]{1, 0}, RowKeys.keyColumnPositions(REL, List.of("name", "id")));
        assertArrayEquals(new int[]{0, 1, 2}, RowKeys.keyColumnPositions(REL, List.of()));
    }
}
