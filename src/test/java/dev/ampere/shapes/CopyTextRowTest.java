package dev.ampere.shapes;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CopyTextRowTest {

    private static String field(CopyTextRow r, int f) {
        return new String(r.array(f), r.offset(f), r.length(f), StandardCharsets.UTF_8);
    }

    private static CopyTextRow parse(int columns, String line) {
        CopyTextRow r = new CopyTextRow(columns);
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        r.parse(b, 0, b.length);
        return r;
    }

    @Test
    void splitsTabsAndRecognisesNullOnlyAsAWholeField() {
        CopyTextRow r = parse(5, "1\t\\N\t\tx\\\\N\tünï €\n");
        assertEquals("1", field(r, 0));
        assertTrue(r.isNull(1));
        assertFalse(r.isNull(2));
        assertEquals("", field(r, 2));
        assertEquals("x\\N", field(r, 3), "an escaped backslash before N is text");
        assertEquals("ünï €", field(r, 4));
    }

    @Test
    void decodesEveryEscape() {
        CopyTextRow r = parse(3, "a\\tb\\nc\\rd\\\\e\\bf\\fg\\vh\\/\t\\101\\7\\0123\t\\x41\\x4a\\xg\\x7\n");
        assertEquals("a\tb\nc\rd\\e\bf\fg\u000Bh/", field(r, 0));
        assertEquals("A\u0007\n3", field(r, 1), "octal takes at most three digits");
        assertEquals("AJxg\u0007", field(r, 2), "hex takes at most two digits; \\x without one is x");
    }

    @Test
    void escapedFieldsSurviveTheDecodeBufferGrowing() {
        String big = "z".repeat(1000);
        CopyTextRow r = parse(3, "\\ta\t" + big + "\\n\t\\\\b");
        assertEquals("\ta", field(r, 0));
        assertEquals(big + "\n", field(r, 1));
        assertEquals("\\b", field(r, 2));
    }

    @Test
    void theRowIsReusable() {
        CopyTextRow r = new CopyTextRow(2);
        byte[] a = "x\\ty\t\\N\n".getBytes(StandardCharsets.UTF_8);
        r.parse(a, 0, a.length);
        byte[] b = "\\N\tq\n".getBytes(StandardCharsets.UTF_8);
        r.parse(b, 0, b.length);
        assertTrue(r.isNull(0));
        assertEquals("q", field(r, 1));
    }

    @Test
    void aWrongFieldCountIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> parse(3, "1\t2\n"));
        assertThrows(IllegalArgumentException.class, () -> parse(1, "1\t2\n"));
        assertEquals("", field(parse(1, "\n"), 0));
    }
}
