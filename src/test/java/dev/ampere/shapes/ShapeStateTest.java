package dev.ampere.shapes;

import dev.ampere.changes.LogOffset;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.ampere.shapes.ShapeDefinition.Replica.DEFAULT;
import static dev.ampere.shapes.ShapeFixtures.ITEMS;
import static dev.ampere.shapes.ShapeFixtures.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What readers see of a live shape: snapshot progress, failure, the latest offset, the sticky end, and the one wait
 * primitive (the version moves on each of the consumer's writes and on storage publishing data).
 */
class ShapeStateTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final ShapeDefinition definition = shape(ITEMS, "n > 10", null, DEFAULT);
    private final InMemorySignalStorage storage = new InMemorySignalStorage("123-456");
    private final ShapeState state = new ShapeState("123-456", definition, storage,
            LogOffset.LAST_BEFORE_REAL_OFFSETS, ShapeState.Snapshot.PENDING);

    @Test
    void aNewShapeIsPendingAndLive() {
        assertEquals("123-456", state.handle());
        assertSame(definition, state.definition());
        assertSame(storage, state.storage());
        assertEquals(ShapeState.Snapshot.PENDING, state.snapshot());
        assertEquals("0_inf", state.latestOffset().toString());
        assertNull(state.failure());
        assertFalse(state.hasEnded());
        assertNull(state.endReason());
        assertEquals("shape 123-456", state.toString());
    }

    @Test
    void pendingBecomesReadyAndTheVersionMoves() {
        long v = state.version();
        state.snapshotReady();
        assertEquals(ShapeState.Snapshot.READY, state.snapshot());
        assertNotEquals(v, state.version());
    }

    @Test
    void aRecoveredShapeStartsReadyAndStaysReady() {
        ShapeState recovered = new ShapeState("h", definition, storage, LogOffset.of(1000, 4), ShapeState.Snapshot.READY);
        assertEquals(ShapeState.Snapshot.READY, recovered.snapshot());
        assertEquals("1000_4", recovered.latestOffset().toString());
        recovered.snapshotReady();
        assertEquals(ShapeState.Snapshot.READY, recovered.snapshot());
    }

    @Test
    void aFailedSnapshotCarriesItsFailureAndIsNotUndoneByReady() {
        SnapshotFailure f = new SnapshotFailure(SnapshotFailure.Kind.INVALID_QUERY, "division by zero");
        long v = state.version();
        state.snapshotFailed(f);
        assertEquals(ShapeState.Snapshot.FAILED, state.snapshot());
        assertSame(f, state.failure());
        assertNotEquals(v, state.version());
        state.snapshotReady();
        assertEquals(ShapeState.Snapshot.FAILED, state.snapshot());
        assertSame(f, state.failure());
    }

    @Test
    void theFirstEndReasonSticks() {
        state.end("the table was truncated");
        assertTrue(state.hasEnded());
        long v = state.version();
        state.end("its consumer stopped");
        assertEquals("the table was truncated", state.endReason());
        assertTrue(state.hasEnded());
        assertNotEquals(v, state.version(), "readers are woken even so");
    }

    @Test
    void theVersionMovesOnEachConsumerWrite() {
        long v0 = state.version();
        state.publishLatestOffset(LogOffset.of(1000, 2));
        long v1 = state.version();
        assertEquals("1000_2", state.latestOffset().toString());
        state.snapshotReady();
        long v2 = state.version();
        state.publishLatestOffset(LogOffset.of(2000, 0));
        long v3 = state.version();
        state.end("deleted");
        long v4 = state.version();
        assertTrue(v0 < v1 && v1 < v2 && v2 < v3 && v3 < v4, v0 + " " + v1 + " " + v2 + " " + v3 + " " + v4);
        assertEquals(4, storage.signals());
        // Storage publishing data moves the same counter.
        storage.publish();
        assertTrue(state.version() > v4);
    }

    @Test
    void awaitChangeAnswersAtOnceWhenTheVersionAlreadyMoved() throws InterruptedException {
        long seen = state.version();
        state.publishLatestOffset(LogOffset.of(1000, 0));
        assertTrue(state.awaitChange(seen, SECOND));
        assertTrue(state.awaitChange(seen, 0));
        assertFalse(state.awaitChange(state.version(), 0));
        assertFalse(state.awaitChange(state.version(), -1));
    }

    @Test
    void awaitChangeTimesOutWhenNothingHappens() throws InterruptedException {
        long start = System.nanoTime();
        assertFalse(state.awaitChange(state.version(), TimeUnit.MILLISECONDS.toNanos(20)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(20));
    }

    @Test
    void aWaitingReaderSeesPendingThenReady() throws Exception {
        CountDownLatch checked = new CountDownLatch(1);
        CompletableFuture<ShapeState.Snapshot> reader = CompletableFuture.supplyAsync(() -> {
            try {
                // The reader's pattern: take the version, check the state, wait for the version to move.
                long seen = state.version();
                ShapeState.Snapshot first = state.snapshot();
                checked.countDown();
                assertEquals(ShapeState.Snapshot.PENDING, first);
                while (state.snapshot() == ShapeState.Snapshot.PENDING) {
                    if (!state.awaitChange(seen, 10 * SECOND)) throw new AssertionError("never woken");
                    seen = state.version();
                }
                return state.snapshot();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(checked.await(10, TimeUnit.SECONDS));
        state.snapshotReady();
        assertEquals(ShapeState.Snapshot.READY, reader.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aWaitingReaderLearnsOfTheEnd() throws Exception {
        long seen = state.version();
        CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> {
            try {
                long s = seen;
                while (!state.hasEnded()) {
                    if (!state.awaitChange(s, 10 * SECOND)) throw new AssertionError("never woken");
                    s = state.version();
                }
                return state.endReason();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        state.snapshotFailed(new SnapshotFailure(SnapshotFailure.Kind.UNAVAILABLE, "connection refused"));
        state.end("its snapshot failed: connection refused");
        assertEquals("its snapshot failed: connection refused", reader.get(10, TimeUnit.SECONDS));
    }
}
