package dev.ampere.http;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.*;

class LongPollCursorTest {
    /** Returns the low end of the requested range plus a fixed bump, and records the range asked for. */
    static final class FixedRandom implements RandomGenerator {
        int origin;
        int bound;
        final int bump;

        FixedRandom(int bump) {
            this.bump = bump;
        }

        @Override
        public long nextLong() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int nextInt(int origin, int bound) {
            this.origin = origin;
            this.bound = bound;
            return origin + bump;
        }
    }

    static final Instant NOW = Instant.parse("2024-10-09T00:01:01.500Z"); // 61.5 s after the cursor epoch

    @Test
    void roundsUpToTheWindowEnd() {
        FixedRandom r = new FixedRandom(0);
        assertEquals("80", LongPollCursor.next(NOW, 20_000, null, r));
        assertEquals("80", LongPollCursor.next(NOW, 20_999, "", r), "whole seconds only; junk cursor is 0");
        assertEquals("80", LongPollCursor.next(NOW, 20_000, "79", r));
        assertEquals("80", LongPollCursor.next(NOW, 20_000, "abc", r));
        assertEquals("61", LongPollCursor.next(Instant.parse("2024-10-09T00:01:01Z"), 1_000, null, r));
        assertEquals("60", LongPollCursor.next(Instant.parse("2024-10-09T00:01:00Z"), 20_000, null, r), "on a boundary");
    }

    @Test
    void bumpsPastTheClientsCursorWhenNotAhead() {
        FixedRandom r = new FixedRandom(41);
        assertEquals("122", LongPollCursor.next(NOW, 20_000, "80", r));
        assertEquals(1, r.origin);
        assertEquals(3601, r.bound);
        assertEquals("1041", LongPollCursor.next(NOW, 20_000, "+999", r));
        assertEquals("99999999999999999999042", LongPollCursor.next(NOW, 20_000, "99999999999999999999000", r));
    }

    @Test
    void subSecondTimeoutGivesZero() {
        assertEquals("0", LongPollCursor.next(NOW, 999, "5", new FixedRandom(0)));
    }

    @Test
    void realisticTimestamp() {
        Instant now = Instant.parse("2026-11-24T00:00:00Z");
        long diff = now.getEpochSecond() - LongPollCursor.EPOCH.getEpochSecond();
        assertEquals(0, diff % 20, "test premise");
        assertEquals(Long.toString(diff), LongPollCursor.next(now, 20_000, null, new FixedRandom(0)));
    }
}
