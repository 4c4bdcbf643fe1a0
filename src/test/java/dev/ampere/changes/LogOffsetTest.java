package dev.ampere.changes;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LogOffsetTest {
    @Test
    void parsesAndPrintsTheWireForms() {
        for (String s : List.of("-1", "0_0", "0_inf", "0_12", "123_4", "18446744073709551615_inf", "9223372036854775808_2")) {
            assertEquals(s, LogOffset.parse(s).orElseThrow().toString(), s);
        }
    }

    @Test
    void rejectsMalformedOffsets() {
        for (String s : List.of("", "-2", "now", "1", "1_", "_1", "1_2_3", "a_1", "1_b", "+1_2", "1_-2", " 1_2",
                "18446744073709551616_0", "1_9223372036854775807", "1_99999999999999999999", "-1_0", "1_Inf")) {
            assertTrue(LogOffset.parse(s).isEmpty(), s);
        }
        assertTrue(LogOffset.parse(null).isEmpty());
    }

    @Test
    void ordersLexicographicallyWithUnsignedTxAndInfOnTop() {
        List<LogOffset> sorted = new ArrayList<>();
        for (String s : List.of("-1", "0_0", "0_1", "0_inf", "5_0", "5_2", "5_3", "5_inf", "9223372036854775807_0",
                "9223372036854775808_0", "18446744073709551615_0", "18446744073709551615_inf")) {
            sorted.add(LogOffset.parse(s).orElseThrow());
        }
        List<LogOffset> shuffled = new ArrayList<>(sorted);
        java.util.Collections.shuffle(shuffled, new java.util.Random(7));
        shuffled.sort(null);
        assertEquals(sorted, shuffled);
        assertEquals(LogOffset.LAST, sorted.getLast());
    }

    @Test
    void beforeAllEqualsOnlyItself() {
        assertEquals(LogOffset.BEFORE_ALL, LogOffset.parse("-1").orElseThrow());
        assertNotEquals(LogOffset.BEFORE_ALL, LogOffset.FIRST);
        assertNotEquals(LogOffset.BEFORE_ALL, LogOffset.of(-1L, 0));
        assertTrue(LogOffset.FIRST.isAfter(LogOffset.BEFORE_ALL));
    }

    @Test
    void incrementGivesTheKeyChangeSlot() {
        assertEquals("7_5", LogOffset.of(7, 4).increment().toString());
        assertThrows(IllegalStateException.class, () -> LogOffset.BEFORE_ALL.increment());
        assertThrows(IllegalStateException.class, () -> LogOffset.of(7, LogOffset.INF).increment());
    }
}
