package dev.ampere.shapes;

import dev.ampere.changes.Change;
import dev.ampere.changes.LogOffset;
import dev.ampere.process.ChildSpec;
import dev.ampere.process.ExitReason;
import dev.ampere.process.Mailbox;
import dev.ampere.process.ProcessRef;
import dev.ampere.process.Processes;
import dev.ampere.process.RestartType;
import dev.ampere.process.Supervisor;
import dev.ampere.shapecache.storage.LogItem;
import dev.ampere.shapecache.storage.SnapshotInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.ampere.shapes.ShapeDefinition.Replica.DEFAULT;
import static dev.ampere.shapes.ShapeFixtures.ITEMS;
import static dev.ampere.shapes.ShapeFixtures.shape;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Deliveries that queued up while the consumer was busy are stored as one batch: one append with the items of all
 * of them in order, {@code "last":true} on each transaction's last item, one publish of the new end and one
 * hand-over to the flusher; a barrier behind them is released only once they are published. The consumer is held
 * busy by a barrier whose release waits for the test, so the deliveries sent meanwhile are queued, not raced.
 */
class ConsumerBatchTest {
    private static final java.time.Duration T = java.time.Duration.ofSeconds(10);
    private static final ShapeDefinition SHAPE = shape(ITEMS, "n > 10", null, DEFAULT);

    private final InMemorySignalStorage storage = InMemorySignalStorage.recordingLog("h-1");
    private final ShapeState state = new ShapeState("h-1", SHAPE, storage, LogOffset.LAST_BEFORE_REAL_OFFSETS,
            ShapeState.Snapshot.READY);
    /** The commits the flusher was handed, one per hand-over. */
    private final List<Long> handedOver = new CopyOnWriteArrayList<>();
    private final ChangeFeed feed = new ChangeFeed() {
        @Override
        public void subscribe(ShapeSubscription subscription) {}

        @Override
        public boolean stored(PendingFlush pending) {
            handedOver.add(pending.take());
            return true;
        }
    };
    private ProcessRef sup;
    private final Mailbox mailbox = Mailbox.bounded(64);
    private ProcessRef consumer;

    @BeforeEach
    void start() throws Exception {
        sup = Processes.spawn("consumers", Supervisor.dynamic("consumers").build());
        Supervisor.children(sup, T);
        SnapshotInfo recovered = new SnapshotInfo(100, 101, new long[0]); // every xid below is after it
        consumer = Supervisor.startChild(sup, ChildSpec.of("shape:h-1",
                        () -> new Consumer(state, Optional.of(recovered), feed, c -> null, T))
                .withRestart(RestartType.TEMPORARY)
                .withMailbox(() -> mailbox), T);
    }

    @AfterEach
    void stop() {
        sup.stopUninterruptibly(T);
    }

    /** Holds the consumer inside a barrier's release until the returned latch is counted down. */
    private CountDownLatch holdConsumer() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        consumer.send(new ConsumerMessages.Barrier(() -> {
            entered.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        return gate;
    }

    /** A barrier whose release records what readers could see then. */
    private CountDownLatch barrier(AtomicReference<LogOffset> seenAtRelease) {
        CountDownLatch released = new CountDownLatch(1);
        consumer.send(new ConsumerMessages.Barrier(() -> {
            seenAtRelease.set(state.latestOffset());
            released.countDown();
        }));
        return released;
    }

    private void deliver(long xid, ShapeFixtures.Tx tx, List<Change> changes, boolean first, boolean last) {
        consumer.send(new ConsumerMessages.Deliver(ShapeFixtures.fragment(xid, tx, changes, first, last),
                ShapeFixtures.matches(SHAPE, changes)));
    }

    private static List<Change> inserts(ShapeFixtures.Tx tx, String... ids) {
        List<Change> out = new ArrayList<>();
        for (String id : ids) out.add(tx.insert(id, null, "20", null));
        return out;
    }

    /** Each item as {@code offset}, plus {@code +last} when it carries the mark. */
    private static List<String> summary(List<LogItem> items) {
        return items.stream().map(i -> i.offset()
                + (ShapeFixtures.json(i).endsWith(",\"last\":true}}") ? " +last" : "")).toList();
    }

    @Test
    void queuedDeliveriesAreStoredWithOneAppendPublishedAndHandedOverOnce() throws Exception {
        CountDownLatch gate = holdConsumer();
        ShapeFixtures.Tx a = new ShapeFixtures.Tx(ITEMS, 1000);
        ShapeFixtures.Tx b = new ShapeFixtures.Tx(ITEMS, 2000);
        ShapeFixtures.Tx c = new ShapeFixtures.Tx(ITEMS, 3000);
        deliver(200, a, inserts(a, "1", "2"), true, true);
        deliver(201, b, inserts(b, "3"), true, false); // b in two fragments
        deliver(201, b, inserts(b, "4"), false, true);
        deliver(202, c, List.of(c.insert("5", null, "1", null)), true, true); // not in the shape: no item
        ShapeFixtures.Tx d = new ShapeFixtures.Tx(ITEMS, 4000);
        deliver(203, d, inserts(d, "6"), true, true);
        AtomicReference<LogOffset> seen = new AtomicReference<>();
        CountDownLatch released = barrier(seen);
        gate.countDown();
        assertTrue(released.await(10, TimeUnit.SECONDS));

        assertEquals(1, storage.appends().size(), "one append for the five deliveries: " + storage.appends());
        assertEquals(List.of("1000_0", "1000_2 +last", "2000_0", "2000_2 +last", "4000_0 +last"),
                summary(storage.appends().getFirst()));
        assertEquals(LogOffset.of(4000, 0), seen.get(), "the barrier came after the batch was published");
        assertEquals(List.of(4000L), handedOver, "one hand-over, of the batch's last commit");
        assertTrue(consumer.isAlive());
    }

    @Test
    void aBatchEndingInsideATransactionPublishesOnlyTheTransactionsItCompleted() throws Exception {
        CountDownLatch gate = holdConsumer();
        ShapeFixtures.Tx a = new ShapeFixtures.Tx(ITEMS, 1000);
        ShapeFixtures.Tx b = new ShapeFixtures.Tx(ITEMS, 2000);
        deliver(200, a, inserts(a, "1"), true, true);
        deliver(201, b, inserts(b, "2", "3", "4"), true, false); // b's last item is held back until b ends
        AtomicReference<LogOffset> seen = new AtomicReference<>();
        CountDownLatch released = barrier(seen);
        gate.countDown();
        assertTrue(released.await(10, TimeUnit.SECONDS));

        assertEquals(List.of(List.of("1000_0 +last"), List.of("2000_0", "2000_2")),
                storage.appends().stream().map(ConsumerBatchTest::summary).toList(),
                "the completed transaction, then the open one's items");
        assertEquals(LogOffset.of(1000, 0), seen.get(), "the open transaction is not visible");
        assertEquals(List.of(1000L), handedOver);

        CountDownLatch gate2 = holdConsumer();
        deliver(201, b, inserts(b, "5"), false, true);
        AtomicReference<LogOffset> seen2 = new AtomicReference<>();
        CountDownLatch released2 = barrier(seen2);
        gate2.countDown();
        assertTrue(released2.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("2000_4", "2000_6 +last"), summary(storage.appends().getLast()));
        assertEquals(LogOffset.of(2000, 6), seen2.get());
        assertEquals(List.of(1000L, 2000L), handedOver);
    }

    @Test
    void aTruncateInABatchEndsTheShapeAfterStoringTheDeliveriesBeforeIt() throws Exception {
        CountDownLatch gate = holdConsumer();
        ShapeFixtures.Tx a = new ShapeFixtures.Tx(ITEMS, 1000);
        ShapeFixtures.Tx b = new ShapeFixtures.Tx(ITEMS, 2000);
        ShapeFixtures.Tx c = new ShapeFixtures.Tx(ITEMS, 3000);
        deliver(200, a, inserts(a, "1"), true, true);
        deliver(201, b, List.of(b.truncate()), true, true);
        deliver(202, c, inserts(c, "2"), true, true);
        gate.countDown();
        assertEquals(ExitReason.NORMAL, consumer.awaitExit(T).orElseThrow());
        assertEquals(List.of(List.of("1000_0 +last")),
                storage.appends().stream().map(ConsumerBatchTest::summary).toList());
        assertEquals(LogOffset.of(1000, 0), state.latestOffset());
        assertTrue(state.hasEnded());
        assertTrue(state.endReason().contains("truncated"), state.endReason());
    }

    @Test
    void aBatchIsBounded() throws Exception {
        CountDownLatch gate = holdConsumer();
        int n = DeliveryBatch.MAX_FRAGMENTS + 10;
        // The mailbox holds 64: send from another thread, which blocks until the consumer makes room.
        Thread sender = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < n; i++) {
                ShapeFixtures.Tx t = new ShapeFixtures.Tx(ITEMS, 1000L * (i + 1));
                deliver(200 + i, t, inserts(t, Integer.toString(i)), true, true);
            }
        });
        while (mailbox.size() < mailbox.capacity()) Thread.onSpinWait(); // the sender waits for room
        gate.countDown();
        sender.join(T);
        AtomicReference<LogOffset> seen = new AtomicReference<>();
        assertTrue(barrier(seen).await(10, TimeUnit.SECONDS));
        int items = 0;
        for (List<LogItem> append : storage.appends()) {
            assertTrue(append.size() <= DeliveryBatch.MAX_FRAGMENTS, "at most one batch per append");
            items += append.size();
        }
        assertEquals(n, items);
        assertEquals(LogOffset.of(1000L * n, 0), seen.get());
    }
}
