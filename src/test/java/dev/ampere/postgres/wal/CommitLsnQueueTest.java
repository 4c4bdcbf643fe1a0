package dev.ampere.postgres.wal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommitLsnQueueTest {

    @Test
    void popsCommitsUpToTheDurableOneAndReturnsTheLastEnd() {
        CommitLsnQueue q = new CommitLsnQueue();
        q.add(100, 110);
        q.add(200, 210);
        q.add(300, 310);
        assertEquals(0, q.popDurable(50), "nothing durable yet");
        assertEquals(210, q.popDurable(250), "a durable LSN between commits acknowledges the earlier one");
        assertEquals(1, q.size());
        assertEquals(310, q.popDurable(300));
        assertTrue(q.isEmpty());
    }

    @Test
    void growsAndWrapsAround() {
        CommitLsnQueue q = new CommitLsnQueue();
        for (int round = 0; round < 3; round++) {
            long base = round * 10_000L;
            for (int i = 1; i <= 1000; i++) q.add(base + i * 2L, base + i * 2L + 1);
            assertEquals(base + 501, q.popDurable(base + 500));
            assertEquals(750, q.size());
            assertEquals(base + 2001, q.popDurable(base + 2000));
            assertTrue(q.isEmpty());
        }
    }

    @Test
    void comparesLsnsUnsigned() {
        CommitLsnQueue q = new CommitLsnQueue();
        long high = 0x8000_0000_0000_0010L;
        q.add(0x7FFF_FFFF_FFFF_FFF0L, 0x7FFF_FFFF_FFFF_FFF8L);
        q.add(high, high + 8);
        assertEquals(0x7FFF_FFFF_FFFF_FFF8L, q.popDurable(0x7FFF_FFFF_FFFF_FFF0L));
        assertEquals(high + 8, q.popDurable(high));
    }
}
