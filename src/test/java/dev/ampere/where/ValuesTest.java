package dev.ampere.where;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** Text forms of values exactly as Postgres reads and prints them. */
class ValuesTest {
    private static final SqlType TEXT_ARRAY = SqlType.TEXT.arrayOf();
    private static final SqlType INT_ARRAY = SqlType.INT4.arrayOf();

    @Test
    void arrayTextRoundTrips() {
        PgArray a = (PgArray) Values.parse(TEXT_ARRAY, "{a,\"b c\",NULL,\"NULL\",\"q\\\"uote\",\"\"}");
        assertEquals(Arrays.asList("a", "b c", null, "NULL", "q\"uote", ""), Arrays.asList(a.items()));
        assertEquals("{a,\"b c\",NULL,\"NULL\",\"q\\\"uote\",\"\"}", Values.format(TEXT_ARRAY, a));
        PgArray m = (PgArray) Values.parse(INT_ARRAY, "{{1,2},{3,4}}");
        assertArrayEquals(new int[]{2, 2}, m.dims());
        assertEquals("{{1,2},{3,4}}", Values.format(INT_ARRAY, m));
        PgArray shifted = (PgArray) Values.parse(INT_ARRAY, "[0:1]={7,8}");
        assertEquals("[0:1]={7,8}", Values.format(INT_ARRAY, shifted));
        assertEquals("{}", Values.format(INT_ARRAY, Values.parse(INT_ARRAY, "{}")));
        assertThrows(EvalException.class, () -> Values.parse(INT_ARRAY, "{{1,2},{3}}"));
    }

    @Test
    void intervalsInEveryStyleCompareBySpan() {
        PgInterval iso = PgInterval.parse("P1Y2M3DT4H5M6.5S");
        PgInterval pg = PgInterval.parse("1 year 2 mons 3 days 04:05:06.5");
        assertEquals(iso, pg);
        assertEquals("P1Y2M3DT4H5M6.5S", pg.toString());
        assertEquals(new PgInterval(0, -1, 7_200_000_000L), PgInterval.parse("-1 days +02:00:00"));
        assertEquals(0, PgInterval.parse("1 mon").compareTo(PgInterval.parse("30 days")));
        assertEquals(new PgInterval(1, 15, 0), PgInterval.parse("1.5 months"));
        assertEquals(PgInterval.parse("-2 hours"), PgInterval.parse("@ 2 hours ago"));
    }

    @Test
    void floatsPrintAndOrderAsPostgres() {
        assertEquals("1e+300", Values.formatFloat(1e300, false));
        assertEquals("2.5e-05", Values.formatFloat(2.5e-5, false));
        assertEquals("0.1", Values.formatFloat(0.1, false));
        assertEquals("123456789012345", Values.formatFloat(123456789012345.0, false));
        assertEquals("1.2345678901234568e+15", Values.formatFloat(1234567890123456.8, false));
        assertEquals(0, Values.compare(-0.0, 0.0));
        assertEquals(0, Values.compare(Double.NaN, Double.NaN));
        assertTrue(Values.compare(Double.NaN, Double.POSITIVE_INFINITY) > 0);
    }

    @Test
    void textOrdersByCodePointAndUuidUnsigned() {
        assertTrue(Values.compare("\uE000", "\uD834\uDD1E") < 0, "U+E000 sorts before U+1D11E in UTF-8");
        assertTrue(Values.compare("Z", "a") < 0);
        assertTrue(Values.compare(Values.parseUuid("7fffffff-0000-0000-0000-000000000000"),
                Values.parseUuid("80000000-0000-0000-0000-000000000000")) < 0);
    }
}
