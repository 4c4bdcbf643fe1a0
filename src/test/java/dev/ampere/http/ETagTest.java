package dev.ampere.http;

import dev.ampere.changes.LogOffset;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ETagTest {
    static final RequestedOffset MINUS_ONE = RequestedOffset.at(LogOffset.BEFORE_ALL);

    @Test
    void format() {
        assertEquals("\"3833821-1721812114261:-1:0_0\"", ETag.header("3833821-1721812114261", MINUS_ONE, "0_0", null));
        assertEquals("h:26800584_4:26800584_inf",
                ETag.unquoted("h", RequestedOffset.at(LogOffset.of(26800584, 4)), "26800584_inf", null));
        assertEquals("\"h:5_2:\"", ETag.header("h", RequestedOffset.at(LogOffset.of(5, 2)), null, null));
        assertEquals("\"h:now:0_inf:-576460751234\"", ETag.header("h", RequestedOffset.NOW, "0_inf", -576460751234L));
    }

    @Test
    void ifNoneMatch() {
        String tag = "h:-1:0_0";
        assertTrue(ETag.matches(List.of("\"h:-1:0_0\""), tag));
        assertTrue(ETag.matches(List.of("h:-1:0_0"), tag));
        assertTrue(ETag.matches(List.of("\"a\", \"h:-1:0_0\""), tag));
        assertTrue(ETag.matches(List.of("\"a\"", " \"h:-1:0_0\" "), tag));
        assertTrue(ETag.matches(List.of("W/\"h:-1:0_0\""), tag));
        assertTrue(ETag.matches(List.of("\"\"h:-1:0_0\"\""), tag), "all surrounding quotes go, as String.trim/2");
        assertFalse(ETag.matches(List.of("\"h:-1:0_1\""), tag));
        assertFalse(ETag.matches(List.of("*"), tag));
        assertFalse(ETag.matches(List.of(), tag));
    }
}
