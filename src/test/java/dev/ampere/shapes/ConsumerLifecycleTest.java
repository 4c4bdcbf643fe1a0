package dev.ampere.shapes;

import dev.ampere.changes.LogOffset;
import dev.ampere.process.ChildSpec;
import dev.ampere.process.ExitReason;
import dev.ampere.process.Mailbox;
import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessRef;
import dev.ampere.process.Processes;
import dev.ampere.process.RestartType;
import dev.ampere.process.Supervisor;
import dev.ampere.shapecache.storage.SnapshotInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static dev.ampere.shapes.ShapeDefinition.Replica.DEFAULT;
import static dev.ampere.shapes.ShapeFixtures.ITEMS;
import static dev.ampere.shapes.ShapeFixtures.shape;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A consumer's life without a database: under a supervisor, with a stand-in snapshotter and collector. The
 * snapshotter is the consumer's owned process (its failure ends the shape with it; the consumer's exit stops it);
 * the consumer hibernates only once nothing needs its thread, subscribes once however often it is woken, and a
 * removal or a stop reaches it while hibernated.
 */
class ConsumerLifecycleTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final SnapshotInfo SNAPSHOT = new SnapshotInfo(100, 101, new long[0]);

    private final ShapeState state = new ShapeState("h-1", shape(ITEMS, "n > 10", null, DEFAULT),
            new InMemorySignalStorage("h-1"), LogOffset.LAST_BEFORE_REAL_OFFSETS, ShapeState.Snapshot.PENDING);
    private final AtomicInteger subscriptions = new AtomicInteger();
    private final ChangeFeed feed = new ChangeFeed() {
        @Override
        public void subscribe(ShapeSubscription subscription) {
            subscriptions.incrementAndGet();
        }

        @Override
        public boolean stored(PendingFlush pending) {
            return true;
        }
    };
    private ProcessRef sup;

    @BeforeEach
    void startSupervisor() throws Exception {
        sup = Processes.spawn("consumers", Supervisor.dynamic("consumers").build());
        Supervisor.children(sup, T);
    }

    @AfterEach
    void stopSupervisor() {
        sup.stopUninterruptibly(T);
    }

    /** A new shape's consumer with the given stand-in snapshotter, hibernating after 1 ms idle. */
    private ProcessRef start(java.util.function.Function<ProcessRef, ProcessBody> snapshotter) throws Exception {
        return Supervisor.startChild(sup, ChildSpec.of("shape:h-1",
                        () -> new Consumer(state, Optional.empty(), feed, snapshotter, Duration.ofMillis(1)))
                .withRestart(RestartType.TEMPORARY)
                .withMailbox(() -> Mailbox.bounded(64)), T);
    }

    /** A snapshotter that reports the bounds and readiness at once, then exits. */
    private static ProcessBody quickSnapshot(ProcessRef consumer) {
        return ctx -> {
            consumer.send(new Consumer.SnapshotStarted(SNAPSHOT));
            consumer.send(new Consumer.SnapshotReady());
        };
    }

    private static void awaitHibernating(ProcessRef p) {
        long deadline = System.nanoTime() + T.toNanos();
        while (!p.isHibernating()) {
            assertTrue(p.isAlive(), p + " exited: " + p.exitReason());
            assertTrue(System.nanoTime() < deadline, p + " did not hibernate");
            Thread.onSpinWait();
        }
    }

    @Test
    void aReportedSnapshotFailureEndsTheShapeWithIt() throws Exception {
        SnapshotFailure failure = new SnapshotFailure(SnapshotFailure.Kind.INVALID_QUERY, "division by zero");
        ProcessRef consumer = start(c -> ctx -> c.send(new Consumer.SnapshotFailed(failure)));
        assertEquals(ExitReason.NORMAL, consumer.awaitExit(T).orElseThrow());
        assertEquals(ShapeState.Snapshot.FAILED, state.snapshot());
        assertEquals(failure, state.failure());
        assertTrue(state.hasEnded());
    }

    @Test
    void aSnapshotterCrashEndsTheShapeAsUnavailable() throws Exception {
        ProcessRef consumer = start(c -> ctx -> {
            throw new IllegalStateException("the pool went away");
        });
        assertEquals(ExitReason.NORMAL, consumer.awaitExit(T).orElseThrow());
        assertEquals(ShapeState.Snapshot.FAILED, state.snapshot());
        assertEquals(SnapshotFailure.Kind.UNAVAILABLE, state.failure().kind());
        assertTrue(state.hasEnded());
    }

    @Test
    void theConsumersExitStopsItsSnapshotter() throws Exception {
        CountDownLatch snapshotterStopped = new CountDownLatch(1);
        ProcessRef consumer = start(c -> ctx -> {
            try {
                ctx.receive(); // a long snapshot
            } finally {
                snapshotterStopped.countDown();
            }
        });
        consumer.send(new Consumer.Remove("deleted"));
        assertEquals(ExitReason.NORMAL, consumer.awaitExit(T).orElseThrow());
        assertTrue(snapshotterStopped.await(10, TimeUnit.SECONDS));
        assertEquals("deleted", state.endReason());
    }

    @Test
    void aConsumerHibernatesOnlyOnceItsSnapshotIsDone() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ProcessRef consumer = start(c -> ctx -> {
            release.await();
            quickSnapshot(c).run(ctx);
        });
        // The snapshotter's scope belongs to the consumer's run: it keeps its thread meanwhile, however idle.
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        while (System.nanoTime() < until) {
            assertFalse(consumer.isHibernating(), "hibernated while its snapshotter runs");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        release.countDown();
        awaitHibernating(consumer);
        assertEquals(ShapeState.Snapshot.READY, state.snapshot());
        assertFalse(state.hasEnded());
    }

    @Test
    void aHibernatedConsumerIsWokenWithoutSubscribingAgainAndEndsOnRemove() throws Exception {
        ProcessRef consumer = start(ConsumerLifecycleTest::quickSnapshot);
        for (int i = 0; i < 20; i++) {
            awaitHibernating(consumer);
            consumer.send(new ConsumerMessages.StreamRestarted());
        }
        awaitHibernating(consumer);
        assertEquals(1, subscriptions.get(), "subscribed in its first run only");
        assertFalse(state.hasEnded());
        consumer.send(new Consumer.Remove("evicted"));
        assertEquals(ExitReason.NORMAL, consumer.awaitExit(T).orElseThrow());
        assertEquals("evicted", state.endReason());
    }

    @Test
    void stoppingAHibernatedConsumerEndsItsShape() throws Exception {
        ProcessRef consumer = start(ConsumerLifecycleTest::quickSnapshot);
        awaitHibernating(consumer);
        long version = state.version();
        assertTrue(consumer.stop(T));
        assertEquals(ExitReason.SHUTDOWN, consumer.exitReason().orElseThrow());
        assertEquals("its consumer stopped", state.endReason());
        assertNotEquals(version, state.version(), "readers were woken");
    }
}
