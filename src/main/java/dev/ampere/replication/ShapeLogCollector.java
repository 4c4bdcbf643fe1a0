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
import dev.ampere.process.ProcessRegistry;
import dev.ampere.postgres.RelationName;
import dev.ampere.postgres.TableLookup;
import dev.ampere.shapes.ChangeFeed;
import dev.ampere.shapes.ConsumerMessages;
import dev.ampere.shapes.PendingFlush;
import dev.ampere.shapes.ShapeFlusher;
import dev.ampere.shapes.ShapeSubscription;
import dev.ampere.shapes.VisibilityBarriers;
import dev.ampere.where.EvalException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Fans committed transactions out to the consumers of the shapes they affect (docs/protocol.md §3.4), and reports
 * to the replication reader what every affected shape has durably stored, through a {@link FlushTracker}. Every
 * consumer receives the same immutable fragment, nothing copied per shape, with the positions its router matched
 * for that shape ({@link ShapeRouter}): each where clause runs once per change, here.
 *
 * <p>Place in the tree: the second child of the ReplicationSupervisor. It owns the router (every shape's
 * subscription), the flush tracker and the current transaction's set of affected shapes, and records the stack's
 * last seen LSN in the {@link LastSeenLsn} it is given. Consumers reach it through the {@link ChangeFeed} it hands
 * out ({@link #feed}); the replication reader through {@link #attach}.
 *
 * <p>Back-pressure is explicit: the replication thread may have at most {@link #MAX_FRAGMENTS_IN_FLIGHT} fragments
 * queued here ({@link Sink}), and each consumer's mailbox is bounded, so a slow consumer slows the stream instead of
 * growing memory. Control messages (subscriptions, the flusher's reports) are never bounded, so a report
 * can never deadlock with the collector delivering to a consumer.
 *
 * <p>A shape whose where clause throws on a change, or goes over its evaluation budget, is invalidated alone
 * ({@link #invalidate}): replication goes on for every other shape.
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

    /** From the stack's flusher: what one pass made durable, per shape. */
    public record Flushed(List<ChangeFeed.Durable> durable) {}

    private record Fragment(TransactionFragment fragment) {}

    private record RelationMessage(Relation relation) {}

    private record StreamMessage(String prefix, byte[] content) {}

    private record ReaderAttached(ReplicationFeedback reader) {}

    private record CountShapes() {}

    private static final int[] NO_MATCHES = new int[0];

    private final Semaphore inFlight = new Semaphore(MAX_FRAGMENTS_IN_FLIGHT);
    private final ShapeRouter router = new ShapeRouter();
    private final Set<String> currentTransaction = new LinkedHashSet<>();
    private final TableLookup tables;
    private final LastSeenLsn lastSeen;
    private final ReplicationMetrics metrics;
    private final VisibilityBarriers barriers;
    private FlushTracker tracker;
    private ReplicationFeedback reader;
    private ProcessContext ctx;

    public ShapeLogCollector(TableLookup tables, LastSeenLsn lastSeen) {
        this(tables, lastSeen, ReplicationMetrics.NONE, new VisibilityBarriers(Duration.ZERO));
    }

    /** @param barriers the stack's subset barriers, which the stream's barrier messages release */
    public ShapeLogCollector(TableLookup tables, LastSeenLsn lastSeen, ReplicationMetrics metrics,
                             VisibilityBarriers barriers) {
        this.metrics = metrics;
        this.barriers = barriers;
        this.tables = tables;
        this.lastSeen = lastSeen;
    }

    /**
     * What consumers use to reach the collector registered under {@code name} and the flusher registered under
     * {@code flusherName} (whichever incarnations run).
     */
    public static ChangeFeed feed(ProcessRegistry registry, Object name, Object flusherName) {
        return new ChangeFeed() {
            @Override
            public void subscribe(ShapeSubscription subscription) throws InterruptedException {
                ProcessRef collector = registry.whereis(name)
                        .orElseThrow(() -> new IllegalStateException("the shape log collector is not running"));
                collector.call(new Subscribe(subscription), Duration.ofSeconds(30));
            }

            @Override
            public boolean stored(PendingFlush pending) {
                return ShapeFlusher.handOver(registry, flusherName, pending);
            }
        };
    }

    /** Where the flusher reports durability to the collector registered under {@code name}. */
    public static ChangeFeed.Reports reports(ProcessRegistry registry, Object name) {
        return durable -> registry.whereis(name).ifPresent(c -> c.send(new Flushed(durable)));
    }

    /**
     * The replication thread's side: hands fragments and relations to the collector, waiting while
     * {@link #MAX_FRAGMENTS_IN_FLIGHT} fragments are still being dispatched.
     */
    public static final class Sink implements ChangeSink {
        private final ProcessRef collector;
        private static final int[] NO_MATCHES = new int[0];

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
        public void onMessage(String prefix, byte[] content) {
            // Other applications' messages stay out of the mailbox.
            if (VisibilityBarriers.PREFIX.equals(prefix)) collector.send(new StreamMessage(prefix, content));
        }

        @Override
        public void onFragment(TransactionFragment fragment) {
            // While the shapes are busy, keep telling Postgres we are alive (wal_sender_timeout is 60 s).
            try {
                while (!inFlight.tryAcquire(KEEPALIVE_WHILE_WAITING.toMillis(), TimeUnit.MILLISECONDS)) {
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
                    tables.invalidate(new RelationName(r.schema(), r.table()));
                    for (ShapeSubscription s : router.onTable(r.id())) {
                        s.consumer().send(new ConsumerMessages.RelationChanged(r));
                    }
                }
                case StreamMessage(String prefix, byte[] content) -> barriers.marker(prefix, content).ifPresent(this::barrier);
                case Flushed(List<ChangeFeed.Durable> durable) -> {
                    for (ChangeFeed.Durable d : durable) tracker.flushed(d.handle(), d.commitLsn());
                }
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
                // A consumer may subscribe again, to narrow its routing (a shape with sub-selects, once it knows
                // their values): the new registration replaces the old, under the same monitor.
                ShapeSubscription prior = router.get(s.handle());
                router.add(s);
                if (prior == null || !prior.consumer().equals(s.consumer())) s.consumer().monitor(ctx.self());
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

    /**
     * Every transaction before the barrier has been dispatched: the shape's consumer releases it once it has
     * published them (its mailbox is in order); with no consumer there is nothing to wait for.
     */
    private void barrier(VisibilityBarriers.Marker m) {
        ShapeSubscription s = router.get(m.handle());
        Runnable release = () -> barriers.release(m.id());
        if (s == null || !s.consumer().send(new ConsumerMessages.Barrier(release))) release.run();
    }

    private void dispatch(TransactionFragment f) {
        if (f.first()) currentTransaction.clear();
        ShapeRouter.Routed routed = router.route(f);
        metrics.fragmentRouted(f.changes().size(), router.lastUnmatched());
        for (ShapeRouter.Failure failure : routed.failed()) invalidate(failure);
        Map<String, MatchList> affected = routed.affected();
        for (Map.Entry<String, MatchList> e : affected.entrySet()) {
            ShapeSubscription s = router.get(e.getKey());
            if (s != null) s.consumer().send(new ConsumerMessages.Deliver(f, e.getValue().toArray()));
        }
        if (f.last()) {
            // Shapes affected by earlier fragments only still need to see the end of the transaction.
            for (String handle : currentTransaction) {
                if (affected.containsKey(handle)) continue;
                ShapeSubscription s = router.get(handle);
                if (s != null) s.consumer().send(new ConsumerMessages.Deliver(f, NO_MATCHES));
            }
        }
        currentTransaction.addAll(affected.keySet());
        if (f.last()) {
            lastSeen.record(f.commitLsn());
            Instant committed = f.commitTime();
            Instant now = Instant.now();
            metrics.transactionDispatched(Math.max(0, Duration.between(committed, now).toNanos()));
            tracker.dispatched(f.commitLsn(), currentTransaction);
            currentTransaction.clear();
        }
    }

    /**
     * A shape whose where clause failed on a change: the router has already dropped it; it no longer holds back
     * acknowledgements, and its consumer (the shape's owner) is told to end it, so its clients get 409.
     */
    private void invalidate(ShapeRouter.Failure failure) {
        ShapeSubscription s = failure.shape();
        RuntimeException e = failure.error();
        String why = abbreviate(e instanceof EvalException ? e.getMessage() : "an internal error (" + e + ")");
        String reason = "its where clause could not be evaluated on the change at " + failure.offset() + ": " + why;
        log.warn("shape {} on {} (where {}) is invalidated: {}", s.handle(), s.table().quotedName(),
                s.where() == null ? "-" : s.where().text(), reason);
        if (!(e instanceof EvalException)) log.debug("evaluation failure of shape {}", s.handle(), e);
        s.consumer().demonitor(ctx.self());
        currentTransaction.remove(s.handle());
        tracker.removed(s.handle());
        s.consumer().send(new ConsumerMessages.WhereClauseFailed(reason));
    }

    /** Error messages quote the row's value (as Postgres's do), which can be megabytes: keep log lines short. */
    private static String abbreviate(String message) {
        String m = String.valueOf(message);
        return m.length() <= 300 ? m : m.substring(0, 300) + "… (" + m.length() + " characters)";
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
