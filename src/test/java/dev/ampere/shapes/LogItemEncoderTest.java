package dev.ampere.shapes;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ampere.postgres.TableInfo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.ampere.shapes.ShapeFixtures.ITEMS;
import static dev.ampere.shapes.ShapeFixtures.assertJson;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The stored JSON of docs/protocol.md §1.11, byte for byte. */
class LogItemEncoderTest {
    private static final List<String> NAMES = List.of("id", "title", "n", "body");
    private final LogItemEncoder encoder = new LogItemEncoder(ITEMS);

    @Test
    void snapshotRowHeadersCarryOnlyOperationAndRelation() {
        byte[] json = encoder.snapshotRow("\"public\".\"items\"/\"1\"", NAMES, new String[]{"1", "a", null, ""});
        assertJson("{\"key\":\"\\\"public\\\".\\\"items\\\"/\\\"1\\\"\",\"value\":{\"id\":\"1\",\"title\":\"a\","
                + "\"n\":null,\"body\":\"\"},\"headers\":{\"operation\":\"insert\",\"relation\":[\"public\",\"items\"]}}",
                json);
    }

    @Test
    void changeMessageHasLsnAsDecimalStringOpPositionAndTxids() {
        byte[] json = encoder.change("insert", "\"public\".\"items\"/\"42\"", NAMES,
                new String[]{"42", "x", null, "b"}, new int[]{0, 1, 2, 3}, null, null, null, null,
                23_803_720L, 6, 777);
        assertJson("{\"key\":\"\\\"public\\\".\\\"items\\\"/\\\"42\\\"\",\"value\":{\"id\":\"42\",\"title\":\"x\","
                + "\"n\":null,\"body\":\"b\"},\"headers\":{\"operation\":\"insert\",\"relation\":[\"public\",\"items\"],"
                + "\"lsn\":\"23803720\",\"op_position\":6,\"txids\":[777]}}", json);
    }

    @Test
    void lsnIsUnsignedAndXidIsUnsigned32Bit() {
        // LSNs may pass 2^63 (§1.6): the decimal string is the unsigned value; pgoutput xids are unsigned 32-bit.
        byte[] json = encoder.change("delete", "k", NAMES, new String[]{"1", null, null, null}, new int[]{0},
                null, null, null, null, 0xFFFF_FFFF_FFFF_FFF0L, 0, 4_294_967_295L);
        assertJson("{\"key\":\"k\",\"value\":{\"id\":\"1\"},\"headers\":{\"operation\":\"delete\","
                + "\"relation\":[\"public\",\"items\"],\"lsn\":\"18446744073709551600\",\"op_position\":0,"
                + "\"txids\":[4294967295]}}", json);
    }

    @Test
    void valuesFollowTheGivenPositionsAndOldValueComesAfterValue() {
        byte[] json = encoder.change("update", "k", NAMES, new String[]{"1", "new", "5", "b"}, new int[]{0, 1, 2, 3},
                new String[]{"1", "old", null, "b"}, new int[]{1, 2}, null, null, 100, 2, 9);
        assertJson("{\"key\":\"k\",\"value\":{\"id\":\"1\",\"title\":\"new\",\"n\":\"5\",\"body\":\"b\"},"
                + "\"old_value\":{\"title\":\"old\",\"n\":null},\"headers\":{\"operation\":\"update\","
                + "\"relation\":[\"public\",\"items\"],\"lsn\":\"100\",\"op_position\":2,\"txids\":[9]}}", json);
    }

    @Test
    void keyChangeFieldIsTheLastHeader() {
        byte[] json = encoder.change("delete", "\"public\".\"items\"/\"1\"", NAMES, new String[]{"1", null, null, null},
                new int[]{0}, null, null, "key_change_to", "\"public\".\"items\"/\"2\"", 100, 4, 9);
        assertJson("{\"key\":\"\\\"public\\\".\\\"items\\\"/\\\"1\\\"\",\"value\":{\"id\":\"1\"},"
                + "\"headers\":{\"operation\":\"delete\",\"relation\":[\"public\",\"items\"],\"lsn\":\"100\","
                + "\"op_position\":4,\"txids\":[9],\"key_change_to\":\"\\\"public\\\".\\\"items\\\"/\\\"2\\\"\"}}", json);
    }

    @Test
    void stringsAreEscapedAsJsonAndNonAsciiStaysUtf8() {
        // Quotes and backslashes escaped, control characters escaped, '/' left alone, characters of the Basic
        // Multilingual Plane written as UTF-8 (é is C3 A9, € E2 82 AC). A character beyond it is written by Jackson
        // as an escaped surrogate pair: valid JSON that decodes to the same character. Snapshot rows and
        // replicated changes share this encoder, so both paths write the same bytes.
        byte[] json = encoder.snapshotRow("k", List.of("t"), new String[]{"a\"b\\c/d\n\t\u0001é€😀"});
        String expected = "{\"key\":\"k\",\"value\":{\"t\":\"a\\\"b\\\\c/d\\n\\t\\u0001é€\\uD83D\\uDE00\"},"
                + "\"headers\":{\"operation\":\"insert\",\"relation\":[\"public\",\"items\"]}}";
        assertJson(expected, json);
        assertEquals("a\"b\\c/d\n\t\u0001é€😀", decodedValue(json, "t"));
    }

    @Test
    void relationHeaderHoldsTheNamesUnquoted() {
        TableInfo odd = ShapeFixtures.table("my schema", "a\"b", 1, List.of("id"), "id:int4");
        byte[] json = new LogItemEncoder(odd).snapshotRow("k", List.of("id"), new String[]{"1"});
        assertJson("{\"key\":\"k\",\"value\":{\"id\":\"1\"},\"headers\":{\"operation\":\"insert\","
                + "\"relation\":[\"my schema\",\"a\\\"b\"]}}", json);
        assertEquals("\"my schema\".\"a\"\"b\"", LogItemEncoder.keyPrefix(odd));
    }

    @Test
    void markLastAddsLastAsTheFinalHeader() {
        byte[] json = encoder.change("insert", "k", NAMES, new String[]{"1", "x", null, null}, new int[]{0, 1},
                null, null, null, null, 100, 0, 9);
        byte[] before = json.clone();
        byte[] marked = LogItemEncoder.markLast(json);
        assertJson("{\"key\":\"k\",\"value\":{\"id\":\"1\",\"title\":\"x\"},\"headers\":{\"operation\":\"insert\","
                + "\"relation\":[\"public\",\"items\"],\"lsn\":\"100\",\"op_position\":0,\"txids\":[9],\"last\":true}}",
                marked);
        assertArrayEquals(before, json, "the stored message is not modified");
        assertWellFormed(marked);
    }

    @Test
    void markLastAfterAKeyChangeHeader() {
        byte[] json = encoder.change("insert", "new", NAMES, new String[]{"2", null, null, null}, new int[]{0},
                null, null, "key_change_from", "old", 100, 5, 9);
        assertJson("{\"key\":\"new\",\"value\":{\"id\":\"2\"},\"headers\":{\"operation\":\"insert\","
                + "\"relation\":[\"public\",\"items\"],\"lsn\":\"100\",\"op_position\":5,\"txids\":[9],"
                + "\"key_change_from\":\"old\",\"last\":true}}", LogItemEncoder.markLast(json));
    }

    @Test
    void snapshotEndCarriesTheBoundsAsStrings() {
        assertJson("{\"headers\":{\"control\":\"snapshot-end\",\"xmin\":\"100\",\"xmax\":\"110\","
                + "\"xip_list\":[\"103\",\"105\"]}}", LogItemEncoder.snapshotEnd(100, 110, new long[]{103, 105}));
    }

    @Test
    void snapshotEndWithNoXipAndUint64Values() {
        // pg_current_snapshot() values are xid8 (uint64): epoch in the high half.
        assertJson("{\"headers\":{\"control\":\"snapshot-end\",\"xmin\":\"4294967301\",\"xmax\":\"18446744073709551615\","
                + "\"xip_list\":[]}}", LogItemEncoder.snapshotEnd((1L << 32) + 5, -1L, new long[0]));
    }

    @Test
    void encoderBufferIsReusedWithoutLeakingBetweenMessages() {
        byte[] a = encoder.snapshotRow("a-long-key-first", List.of("t"), new String[]{"a fairly long value here"});
        byte[] b = encoder.snapshotRow("k", List.of("t"), new String[]{"v"});
        assertJson("{\"key\":\"k\",\"value\":{\"t\":\"v\"},\"headers\":{\"operation\":\"insert\","
                + "\"relation\":[\"public\",\"items\"]}}", b);
        assertJson("{\"key\":\"a-long-key-first\",\"value\":{\"t\":\"a fairly long value here\"},"
                + "\"headers\":{\"operation\":\"insert\",\"relation\":[\"public\",\"items\"]}}", a);
    }

    /** The decoded string of a field named {@code field}, wherever it is. */
    private static String decodedValue(byte[] json, String field) {
        try (JsonParser p = new JsonFactory().createParser(json)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.FIELD_NAME && p.currentName().equals(field)) {
                    p.nextToken();
                    return p.getText();
                }
            }
            throw new AssertionError("no field " + field);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertWellFormed(byte[] json) {
        try (JsonParser p = new JsonFactory().createParser(json)) {
            while (p.nextToken() != null) {
                // reading every token validates the document
            }
        } catch (IOException e) {
            throw new AssertionError("not well-formed JSON: " + new String(json, StandardCharsets.UTF_8), e);
        }
    }
}
