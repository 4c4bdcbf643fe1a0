package dev.ampere.replication;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class FlushTrackerTest {
    private final List<Long> acks = new ArrayList<>();
    private final FlushTracker tracker = new FlushTracker(acks::add);

    @Test
    void transactionsNoShapeWantsAreAcknowledgedAtOnce() {
        tracker.dispatched(100, Set.of());
        tracker.dispatched(200, Set.of());
        assertEquals(List.of(100L, 200L), acks);
    }

    @Test
    void neverPassesATransactionSomeShapeHasNotStored() {
        tracker.dispatched(100, Set.of("a", "b"));
        tracker.dispatched(200, Set.of());
        tracker.dispatched(300, Set.of("b"));
        assertEquals(List.of(), acks);
        tracker.flushed("a", 100);
        assertEquals(List.of(), acks, "b still owes 100");
        tracker.flushed("b", 100);
        assertEquals(List.of(200L), acks, "100 and the unwatched 200 are durable; 300 is not");
        tracker.flushed("b", 300);
        assertEquals(List.of(200L, 300L), acks);
        assertEquals(0, tracker.pendingTransactions());
    }

    @Test
    void oneFlushCoversEverythingBeforeIt() {
        tracker.dispatched(100, Set.of("a"));
        tracker.dispatched(200, Set.of("a"));
        tracker.flushed("a", 200);
        assertEquals(List.of(200L), acks);
    }

    @Test
    void aRemovedShapeNoLongerHoldsTheSlotBack() {
        tracker.dispatched(100, Set.of("a", "gone"));
        tracker.flushed("a", 100);
        assertEquals(List.of(), acks);
        tracker.removed("gone");
        assertEquals(List.of(100L), acks);
    }

    @Test
    void comparesLsnsAsUnsigned() {
        long high = 0x8000_0000_0000_0010L; // beyond 2^63
        tracker.dispatched(high, Set.of("a"));
        tracker.dispatched(high + 16, Set.of("a"));
        tracker.flushed("a", high);
        assertEquals(List.of(high), acks);
        tracker.flushed("a", high + 16);
        assertEquals(List.of(high, high + 16), acks);
    }

    @Test
    void resetForgetsWhatWillBeResent() {
        tracker.dispatched(100, Set.of("a"));
        tracker.reset();
        tracker.dispatched(100, Set.of());
        assertEquals(List.of(100L), acks);
    }
}
