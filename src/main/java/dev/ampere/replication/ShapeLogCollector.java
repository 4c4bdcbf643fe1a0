package dev.ampere.replication;

import dev.ampere.changes.Change;
import dev.ampere.changes.Relation;
import dev.ampere.changes.TransactionFragment;
import dev.ampere.postgres.wal.ChangeSink;
import dev.ampere.postgres.wal.ReplicationFeedback;

import dev.ampere.process.Call;
import dev.ampere.process.Down;
import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessContext;
import dev.ampere.process.ProcessRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * Fans committed transactions out to the consumers of the shapes they can affect (PROTOCOL.md §3.4), and reports
 * to the replication reader what every affected shape has durably stored, through a {@link FlushTracker}. Every
 * consumer receives the same immutable fragment: nothing is copied per shape.
 *
 * <p>Back-pressure is explicit: the replication thread may have at most {@link #MAX_FRAGMENTS_IN_FLIGHT} fragments
 * queued here ({@link Sink}), and each consumer's mailbox is bounded, so a slow consumer slows the stream instead of
 * growing memory. Control messages (subscriptions, flush reports) are never bounded, so a consumer reporting a flush
 * can never deadlock with the collector delivering to it.
 *
 * <p>Threading: a process; the router, the tracker and the current transaction are owned by its thread.
 */
public final class ShapeLogCollector implements ProcessBody {
    private static final Logger log = LoggerFactory.getLogger(ShapeLogCollector.class);
    static final int MAX_FRAGMENTS_IN_FLIGHT = 16;
    private static final Duration KEEPALIVE_WHILE_WAITING = Duration.ofSeconds(1);

    /** Registers a shape's consumer; a call, so that routing is in place before the shape reads its snapshot. */
    public record Subscribe(ShapeSubscription subscription) {}

    public record Unsubscribe(String handle) {}

    /** From a consumer: everything up to and including this commit is durably stored for the shape. */
    public record Flushed(String handle, long commitLsn) {}

    private record Fragment(TransactionFragment fragment) {}

    private record RelationMessage(Relation relation) {}

    private record ReaderAttached(ReplicationFeedback reader) {}

    private record CountShapes() {}

    private final Semaphore inFlight = new Semaphore(MAX_FRAGMENTS_IN_FLIGHT);
    private final ShapeRouter router = new ShapeRouter();
    private final Set<String> currentTransaction = new LinkedHashSet<>();
    private FlushTracker tracker;
    private ReplicationFeedback reader;
    private ProcessContext ctx;
    private final dev.ampere.stack.Stack stack;

    public ShapeLogCollector(dev.ampere.stack.Stack stack) {
        this.stack = stack;
    }

    /**
     * The replication thread's side: hands fragments and relations to the collector, waiting while
     * {@link #MAX_FRAGMENTS_IN_FLIGHT} fragments are still being dispatched.
     */
    public static final class Sink implements ChangeSink {
        private final ProcessRef collector;
        private final Semaphore inFlight;
        private final ReplicationFeedback reader;

        private Sink(ProcessRef collector, Semaphore inFlight, ReplicationFeedback reader) {
            this.collector = collector;
            this.inFlight = inFlight;
            this.reader = reader;
        }

        @Override
        public void onRelation(Relation relation) {
            collector.send(new RelationMessage(relation));
        }

        @Override
        public void onFragment(TransactionFragment fragment) {
            // While the shapes are busy, keep telling Postgres we are alive (wal_sender_timeout is 60 s).
            try {
                while (!inFlight.tryAcquire(KEEPALIVE_WHILE_WAITING.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    reader.keepAlive();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the shapes", e);
            }
            if (!collector.send(new Fragment(fragment))) {
                inFlight.release();
                throw new IllegalStateException("the shape log collector is not running");
            }
        }
    }

    /** Attaches a new replication reader: acknowledgements go to it, and partial transactions are forgotten. */
    public static Sink attach(ProcessRef collector, ReplicationFeedback reader) throws InterruptedException {
        return collector.call(new ReaderAttached(reader), Duration.ofSeconds(30));
    }

    public static void subscribe(ProcessRef collector, ShapeSubscription s) throws InterruptedException {
        collector.call(new Subscribe(s), Duration.ofSeconds(30));
    }

    public static int shapeCount(ProcessRef collector) throws InterruptedException {
        return collector.call(new CountShapes(), Duration.ofSeconds(30));
    }

    @Override
    public void run(ProcessContext ctx) throws Exception {
        this.ctx = ctx;
        this.tracker = new FlushTracker(lsn -> {
            if (reader != null) reader.durable(lsn);
        });
        while (true) {
            switch (ctx.receive()) {
                case Fragment(TransactionFragment f) -> {
                    try {
                        dispatch(f);
                    } finally {
                        inFlight.release();
                    }
                }
                case RelationMessage(Relation r) -> {
                    // The table may have changed: forget its cached metadata before any shape rebuilds from it.
                    dev.ampere.postgres.Inspector.invalidate(stack, new dev.ampere.postgres.RelationName(r.schema(), r.table()));
                    for (ShapeSubscription s : router.onTable(r.id())) {
                        s.consumer().send(new ConsumerMessages.RelationChanged(r));
                    }
                }
                case Flushed(String handle, long lsn) -> tracker.flushed(handle, lsn);
                case Unsubscribe(String handle) -> unsubscribe(handle);
                case Down d -> unsubscribeConsumer(d.process());
                case Call c -> handleCall(c);
                default -> { }
            }
        }
    }

    private void handleCall(Call c) {
        switch (c.request()) {
            case Subscribe(ShapeSubscription s) -> {
                router.add(s);
                s.consumer().monitor(ctx.self());
                c.reply(true);
            }
            case ReaderAttached(ReplicationFeedback r) -> {
                reader = r;
                tracker.reset();
                for (String handle : currentTransaction) {
                    ShapeSubscription s = router.get(handle);
                    if (s != null) s.consumer().send(new ConsumerMessages.StreamRestarted());
                }
                currentTransaction.clear();
                c.reply(new Sink(ctx.self(), inFlight, r));
            }
            case CountShapes() -> c.reply(router.size());
            default -> c.fail(new IllegalArgumentException("unknown request " + c.request()));
        }
    }

    private void dispatch(TransactionFragment f) {
        if (f.first()) currentTransaction.clear();
        Set<String> affected = new LinkedHashSet<>();
        for (Change change : f.changes()) router.affected(change, affected::add);
        if (f.last()) affected.addAll(currentTransaction); // they need to see the end of the transaction
        for (String handle : affected) {
            ShapeSubscription s = router.get(handle);
            if (s != null) s.consumer().send(new ConsumerMessages.Deliver(f));
        }
        currentTransaction.addAll(affected);
        if (f.last()) {
            stack.recordSeenLsn(f.commitLsn());
            tracker.dispatched(f.commitLsn(), currentTransaction);
            currentTransaction.clear();
        }
    }

    private void unsubscribe(String handle) {
        ShapeSubscription s = router.remove(handle);
        if (s != null) s.consumer().demonitor(ctx.self());
        currentTransaction.remove(handle);
        tracker.removed(handle);
    }

    private void unsubscribeConsumer(ProcessRef consumer) {
        String handle = router.handleOf(consumer);
        if (handle != null) {
            log.debug("consumer of shape {} exited; unsubscribing it", handle);
            unsubscribe(handle);
        }
    }
}
