package dev.ampere.shapes;

import dev.ampere.changes.Relation;
import dev.ampere.changes.TransactionFragment;
import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.TableInfo;
import dev.ampere.process.Down;
import dev.ampere.process.ExitReason;
import dev.ampere.process.HibernatingBody;
import dev.ampere.process.OwnedProcesses;
import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessContext;
import dev.ampere.process.ProcessRef;
import dev.ampere.shapecache.storage.LogItem;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.StorageFaultException;
import dev.ampere.shapecache.storage.SnapshotInfo;

import org.slf4j.MDC;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A shape's consumer (docs/protocol.md §3.4): the owner of the shape.
 *
 * <p>Place in the tree: a temporary child of the DynamicConsumerSupervisor, registered as
 * {@link DynamicConsumerSupervisor#consumerName}; when it exits, the ShapeCache, which monitors it, deletes the
 * shape's storage. A new shape's {@link Snapshotter} is an owned process of the consumer ({@link OwnedProcesses},
 * forked in a scope of the consumer's run, so still inside the tree): the consumer monitors it, a snapshot failure
 * ends the shape with its {@link SnapshotFailure}, and the snapshotter is stopped when the consumer exits. It owns
 * the shape's {@link ShapeState} (its only writer) and the shape's log writer.
 *
 * <p>What it does: takes the fragments the log collector routes to it, with the changes the router matched; drops
 * transactions its snapshot already contains; converts the matched changes into log items (encoded once) and appends
 * them to storage; publishes the new end to readers at each transaction end, so a change is visible as soon as it is
 * written. Deliveries that queued up while it was busy are handled as one batch ({@link DeliveryBatch}): converted in
 * order, stored with one append, published and handed to the flusher once. Durability is a separate step shared by
 * every shape of the stack: at a transaction end the consumer hands the shape to the {@link ShapeFlusher} ({@link
 * ChangeFeed#stored}, at most once per flush pass, through its {@link PendingFlush}), which syncs every dirty shape's
 * storage in one pass and reports to the collector; only then does the transaction count toward the acknowledgement to
 * Postgres. A TRUNCATE of its table, a schema change, a failed snapshot, a where clause that failed on a change ({@link
 * ConsumerMessages.WhereClauseFailed}) or a {@link Remove} ends the shape: the state is marked ended first, so every
 * waiting reader answers 409 at once. A storage fault (disk full) does not: the consumer waits and retries the write,
 * see {@link #untilStored}.
 *
 * <p>Hibernation: with no snapshot running, a consumer that gets no message for its
 * {@code hibernateAfter} ends its run and holds no thread ({@link HibernatingBody}); its state (the transaction log,
 * the storage writer, the ShapeState) lives in this object, and the next message (a change, a removal) resumes it.
 * Readers never need the consumer's thread: they wait on the ShapeState. Hibernating is not exiting: the collector's
 * subscription, the ShapeCache's monitor and the registered name stay. Nothing is left unflushed by hibernating:
 * every transaction the consumer stored was handed to the flusher at its end, and the flusher, not this thread,
 * makes it durable and reports it (the hand-over is dropped here, and made again by the next transaction).
 *
 * <p>Threading: a process; everything is confined to whichever thread runs it (one run at a time); readers see
 * only the {@link ShapeState}.
 */
public final class Consumer implements HibernatingBody {
    /** The MDC key under which a shape's processes log their shape (the JSON log format shows it). */
    public static final String SHAPE_HANDLE = "shape_handle";
    private static final Duration STORAGE_RETRY = Duration.ofSeconds(1);

    /**
     * From the snapshotter: the snapshot's bounds are known; rows follow. For a shape whose where clause has
     * sub-selects, {@code values} are their values as the snapshot's transaction read them (null otherwise).
     */
    public record SnapshotStarted(SnapshotInfo info, SubqueryValueSets values) {
        public SnapshotStarted(SnapshotInfo info) {
            this(info, null);
        }
    }

    /** From the snapshotter: the first row is stored, or the snapshot is known to be empty. */
    public record SnapshotReady() {}

    public record SnapshotFailed(SnapshotFailure failure) {}

    /** From the ShapeCache: the shape is deleted or evicted. */
    public record Remove(String reason) {}

    private final ShapeState state;
    private final ShapeStorage storage;
    private final ChangeFeed feed;
    /** Until the first run has used them: a recovered shape's bounds, or the maker of a new shape's snapshotter. */
    private Optional<SnapshotInfo> recovered;
    private Function<ProcessRef, ProcessBody> snapshotter;
    private final Duration hibernateAfter;
    private final TransactionLog transactions;
    /** Fragments that arrived before the snapshot's bounds; made when the first one does. */
    /** Deliveries (and barriers behind them) that came before the snapshot's visibility was known. */
    private List<Object> waitingForSnapshot;
    private boolean subscribed;
    /** The hand-over to the flusher, made at the first stored transaction; dropped when the consumer hibernates. */
    private PendingFlush pending;
    /** The running snapshotter and its scope, opened by the current run; null once the snapshot is done. */
    private OwnedProcesses owned;
    private ProcessRef snapshotterRef;

    /**
     * @param snapshotter    makes a new shape's snapshotter, given this consumer; ignored when {@code recovered}
     * @param hibernateAfter how long without messages before an idle consumer hibernates
     */
    public Consumer(ShapeState state, Optional<SnapshotInfo> recovered, ChangeFeed feed,
                    Function<ProcessRef, ProcessBody> snapshotter, Duration hibernateAfter) {
        this.state = state;
        this.storage = state.storage();
        this.recovered = recovered;
        this.feed = feed;
        this.snapshotter = snapshotter;
        this.hibernateAfter = hibernateAfter;
        ShapeDefinition d = state.definition();
        this.transactions = new TransactionLog(() -> new ShapeChangeConverter(d));
    }

    private enum Outcome { CONTINUE, STOP }

    @Override
    public void resume(ProcessContext ctx) throws Exception {
        MDC.put(SHAPE_HANDLE, state.handle()); // each run may be on a new thread (after hibernation)
        boolean hibernating = false;
        try {
            if (!subscribed) start(ctx);
            loop(ctx);
        } catch (HibernatingBody.Hibernation h) {
            hibernating = true;
            transactions.releaseConverter(); // made again by the next change; an idle shape keeps only its state
            pending = null; // if queued, the flusher holds it and reports it; the next transaction makes another
            throw h;
        } finally {
            if (!hibernating) exit();
        }
    }

    /**
     * The first run: routing in place, then the snapshot (a new shape) or its known bounds (a recovered one). A
     * recovered shape reports itself started only once it is routed to, because replication resumes when every
     * recovered shape has started; a new shape reports itself started first, so that its supervisor, which starts
     * consumers one at a time, is not held by this shape's subscription and snapshotter start-up: a burst of new
     * shapes then sets up in parallel. Its subscription still comes before its snapshot.
     */
    private void start(ProcessContext ctx) throws InterruptedException {
        ShapeDefinition d = state.definition();
        if (recovered.isPresent()) {
            feed.subscribe(ShapeSubscription.of(state.handle(), d, ctx.self()));
            subscribed = true;
            transactions.snapshotKnown(recovered.get());
            ctx.started();
        } else {
            ctx.started();
            feed.subscribe(ShapeSubscription.of(state.handle(), d, ctx.self()));
            subscribed = true;
            owned = OwnedProcesses.open("snapshot:" + state.handle(), Duration.ofSeconds(5));
            snapshotterRef = owned.start("snapshotter", snapshotter.apply(ctx.self()));
            snapshotterRef.monitor(ctx.self());
        }
        recovered = null;
        snapshotter = null;
    }

    @Override
    public void stoppedWhileHibernated() {
        // Stopped from above while idle: the shape did not end by itself, its storage is kept for the next ShapeCache.
        state.suspend("its consumer stopped");
    }

    /**
     * Every end of the shape's own (removal, truncate, schema change, failed snapshot, a failing where clause) was
     * recorded before this; what is left is a stop from above, with the shape's storage kept for the next
     * ShapeCache, so the shape is suspended rather than ended.
     */
    private void exit() {
        closeSnapshotter();
        state.suspend("its consumer stopped");
    }

    private void closeSnapshotter() {
        if (owned == null) return;
        owned.close();
        owned = null;
        snapshotterRef = null;
    }

    private void loop(ProcessContext ctx) throws Exception {
        while (true) {
            Object m;
            if (owned != null) {
                m = ctx.receive(); // the snapshotter's scope belongs to this run's thread: no hibernating yet
            } else {
                m = ctx.receiveOrHibernate(hibernateAfter);
            }
            Outcome o = m instanceof ConsumerMessages.Deliver d && transactions.isSnapshotKnown()
                    ? deliverQueued(ctx, d) : handle(m);
            if (o == Outcome.STOP) return;
        }
    }

    /**
     * A delivery woke the consumer: it and the deliveries queued behind it are converted in order and stored as
     * batches ({@link DeliveryBatch}: one append, one publish of the new end, one hand-over to the flusher per
     * batch) rather than one by one. The first other message met ends the drain: the deliveries before it are
     * stored and published first, then it is handled, so a barrier is still released only after every delivery
     * before it is published.
     */
    private Outcome deliverQueued(ProcessContext ctx, ConsumerMessages.Deliver first) throws Exception {
        DeliveryBatch batch = new DeliveryBatch();
        ConsumerMessages.Deliver d = first;
        while (true) {
            if (collect(batch, d) == Outcome.STOP) return Outcome.STOP;
            Object next = ctx.poll();
            if (next == null) break;
            if (!(next instanceof ConsumerMessages.Deliver nd)) {
                store(batch);
                return handle(next);
            }
            d = nd;
        }
        store(batch);
        return Outcome.CONTINUE;
    }

    private Outcome handle(Object m) throws Exception {
        return switch (m) {
            case ConsumerMessages.Deliver d -> {
                // Only before the snapshot's bounds are known (after that, deliveries go to deliverQueued): they wait.
                if (waitingForSnapshot == null) waitingForSnapshot = new ArrayList<>();
                waitingForSnapshot.add(d);
                yield Outcome.CONTINUE;
            }
            case ConsumerMessages.Barrier b -> {
                // Every delivery before it is published (a drain of deliveries stores and publishes them before it
                // hands on anything else), unless it waits for the snapshot: then the barrier waits behind it.
                if (waitingForSnapshot != null) waitingForSnapshot.add(b);
                else b.release().run();
                yield Outcome.CONTINUE;
            }
            case SnapshotStarted(SnapshotInfo info, SubqueryValueSets values) -> {
                if (values == null) {
                    transactions.snapshotKnown(info);
                } else {
                    ShapeDefinition d = state.definition();
                    transactions.snapshotKnown(info, new SubqueryJudge(d.where().orElseThrow(), d.table().oid(), values));
                }
                Outcome o = Outcome.CONTINUE;
                if (waitingForSnapshot != null) {
                    DeliveryBatch batch = new DeliveryBatch();
                    for (Object w : waitingForSnapshot) {
                        if (w instanceof ConsumerMessages.Barrier b) {
                            if (o == Outcome.CONTINUE) store(batch);
                            b.release().run();
                        } else if (o == Outcome.CONTINUE) {
                            o = collect(batch, (ConsumerMessages.Deliver) w);
                        }
                    }
                    if (o == Outcome.CONTINUE) store(batch);
                    waitingForSnapshot = null;
                }
                yield o;
            }
            case SnapshotReady() -> {
                state.snapshotReady();
                yield Outcome.CONTINUE;
            }
            case SnapshotFailed(SnapshotFailure f) -> {
                state.snapshotFailed(f);
                yield end("its snapshot failed: " + f.message());
            }
            case Remove(String reason) -> end(reason);
            case ConsumerMessages.RelationChanged(Relation r) ->
                    matchesTable(r) ? Outcome.CONTINUE : end("the schema of " + r + " changed");
            case ConsumerMessages.WhereClauseFailed(String reason) -> end(reason);
            case ConsumerMessages.StreamRestarted() -> {
                transactions.streamRestarted();
                yield Outcome.CONTINUE;
            }
            case Down(ProcessRef p, ExitReason reason) when p == snapshotterRef -> snapshotterExited(reason);
            default -> Outcome.CONTINUE;
        };
    }

    /**
     * The snapshotter has exited. Its failures arrive before its exit, as {@link SnapshotFailed}; a crash it could
     * not report (or an exit before the snapshot was ready) fails the snapshot here.
     */
    private Outcome snapshotterExited(ExitReason reason) {
        closeSnapshotter();
        if (state.snapshot() != ShapeState.Snapshot.PENDING && reason.equals(ExitReason.NORMAL)) {
            return Outcome.CONTINUE;
        }
        SnapshotFailure f = reason instanceof ExitReason.Crash(Throwable t) ? SnapshotFailure.of(t)
                : new SnapshotFailure(SnapshotFailure.Kind.UNAVAILABLE, "the snapshot stopped (" + reason + ")");
        state.snapshotFailed(f);
        return end("its snapshot failed: " + f.message());
    }

    /**
     * Converts one delivery into the batch, storing the batch first when it is full. A truncate of the shape's
     * table ends the shape, once what the batch holds from the deliveries before it is stored and published.
     */
    private Outcome collect(DeliveryBatch batch, ConsumerMessages.Deliver d) throws Exception {
        if (batch.isFull()) store(batch);
        TransactionFragment f = d.fragment();
        TransactionLog.Step step = transactions.accept(f, d.matches());
        if (step.truncated()) {
            store(batch);
            return end(truncatedTable(f, d.matches()) + " was truncated");
        }
        if (step.ended() != null) {
            store(batch);
            if (!step.moved()) return end(step.ended());
            state.endMoved(step.ended());
            return Outcome.STOP;
        }
        batch.add(step, f.commitLsn());
        return Outcome.CONTINUE;
    }

    /**
     * Stores the batch as one delivery after another would have: the items up to its last transaction end in one
     * append, then that end published to readers and handed to the flusher, then the items of a transaction still
     * open (unpublished until a later batch ends it). Empties the batch.
     */
    private void store(DeliveryBatch batch) throws Exception {
        if (batch.isEmpty()) return;
        if (batch.transactionEnded()) {
            List<LogItem> completed = batch.completed();
            if (!completed.isEmpty()) untilStored(() -> storage.appendLog(completed));
            if (batch.mustPublish()) state.publishLatestOffset(storage.latestOffset());
            if (pending == null) pending = new PendingFlush(state.handle(), storage);
            if (pending.stored(batch.endedCommit()) && !feed.stored(pending)) pending.unqueue();
        }
        List<LogItem> open = batch.open();
        if (!open.isEmpty()) untilStored(() -> storage.appendLog(open));
        batch.clear();
    }

    /**
     * Runs a storage write until it succeeds. While the storage cannot take writes (disk full, named once per
     * episode by the storage and shown by the health endpoint) the shape neither ends nor hands anything to the
     * flusher: it holds the change it could not store, and its full mailbox holds back the log collector and so
     * the acknowledgement to Postgres. A stop from above still interrupts the wait.
     */
    private void untilStored(StorageWrite write) throws Exception {
        while (true) {
            try {
                write.run();
                return;
            } catch (StorageFaultException e) {
                storage.awaitWritable(STORAGE_RETRY);
            }
        }
    }

    @FunctionalInterface
    private interface StorageWrite {
        void run() throws Exception;
    }

    /** The name of the table a fragment's routed truncate emptied. */
    private String truncatedTable(TransactionFragment f, int[] matches) {
        for (int m : matches) {
            if (f.changes().get(ConsumerMessages.position(m)) instanceof dev.ampere.changes.Change.Truncate t) {
                return tableOf(t.relation().id()).quotedName();
            }
        }
        return state.definition().table().quotedName();
    }

    /** The shape's table, or the sub-select's, with this OID (the shape's own when none has it). */
    private TableInfo tableOf(int oid) {
        return state.definition().tables().stream().filter(x -> x.oid() == oid).findFirst()
                .orElse(state.definition().table());
    }

    /**
     * The relation still has the columns (names and types, in order) the shape was defined against: its own table,
     * or the table of one of its sub-selects.
     */
    private boolean matchesTable(Relation r) {
        TableInfo t = tableOf(r.id());
        if (!r.schema().equals(t.schema()) || !r.table().equals(t.name())) return false;
        if (r.columns().size() != t.columns().size()) return false;
        for (int i = 0; i < t.columns().size(); i++) {
            ColumnInfo c = t.columns().get(i);
            Relation.Column rc = r.columns().get(i);
            if (!rc.name().equals(c.name()) || rc.typeOid() != c.typeOid()) return false;
        }
        return true;
    }

    /** Ends the shape: readers learn it from the state at once; the ShapeCache cleans up when the processes stop. */
    private Outcome end(String reason) {
        state.end(reason);
        return Outcome.STOP;
    }
}
