package dev.ampere.changes;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LsnTest {
    @Test
    void parsesPostgresFormAndPrintsBoth() {
        Lsn lsn = Lsn.parse("16/B374D848");
        assertEquals(0x16B374D848L, lsn.value());
        assertEquals("16/B374D848", lsn.toString());
        assertEquals(Long.toString(0x16B374D848L), lsn.toDecimal());
    }

    @Test
    void handlesPositionsBeyondSignedRange() {
        Lsn high = Lsn.parse("FFFFFFFF/FFFFFFFF");
        assertEquals("18446744073709551615", high.toDecimal());
        assertTrue(high.isAfter(Lsn.parse("7FFFFFFF/FFFFFFFF")));
    }

    @Test
    void rejectsGarbage() {
        for (String s : new String[]{"", "/", "1/", "/1", "x/1", "100000000/0"}) {
            assertThrows(IllegalArgumentException.class, () -> Lsn.parse(s), s);
        }
    }
}
