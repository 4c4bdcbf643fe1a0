package dev.ampere.shapes;

import dev.ampere.changes.Relation;
import dev.ampere.changes.TransactionFragment;
import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.TableInfo;
import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessContext;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.SnapshotInfo;

import org.slf4j.MDC;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A shape's consumer (docs/protocol.md §3.4): the owner of the shape.
 *
 * <p>Place in the tree: the significant child of the shape's ConsumerSupervisor, under the
 * DynamicConsumerSupervisor; when it exits, the shape's processes stop and the ShapeCache, which monitors them,
 * deletes the shape's storage. It owns the shape's {@link ShapeState} (its only writer) and the shape's log writer.
 *
 * <p>What it does: takes the fragments the log collector routes to it, with the changes the router matched; drops
 * transactions its snapshot already contains; converts the matched changes into log items (encoded once) and
 * appends them to storage; publishes the new end to readers at each transaction end. It flushes storage in batches
 * (when its mailbox runs dry, or after {@link #FLUSH_DELAY}) and only then reports the transactions durable to the
 * collector. A TRUNCATE of its table, a schema change, a failed snapshot, a where clause that failed on a change
 * ({@link ConsumerMessages.WhereClauseFailed}) or a {@link Remove} ends the shape:
 * the state is marked ended first, so every waiting reader answers 409 at once.
 *
 * <p>Threading: a process; everything is confined to its thread; readers see only the {@link ShapeState}.
 */
public final class Consumer implements ProcessBody {
    static final Duration FLUSH_DELAY = Duration.ofMillis(5);
    /** The MDC key under which a shape's processes log their shape (the JSON log format shows it). */
    public static final String SHAPE_HANDLE = "shape_handle";

    /** From the snapshotter: the snapshot's bounds are known; rows follow. */
    public record SnapshotStarted(SnapshotInfo info) {}

    /** From the snapshotter: the first row is stored, or the snapshot is known to be empty. */
    public record SnapshotReady() {}

    public record SnapshotFailed(SnapshotFailure failure) {}

    /** From the ShapeCache: the shape is deleted or evicted. */
    public record Remove(String reason) {}

    private final ShapeState state;
    private final ShapeStorage storage;
    private final Optional<SnapshotInfo> recovered;
    private final ChangeFeed feed;
    private final ShapeMetrics metrics;
    private final TransactionLog transactions;
    private final List<ConsumerMessages.Deliver> waitingForSnapshot = new ArrayList<>();
    private long unflushedCommit;
    private boolean hasUnflushed;
    private long flushDeadline;

    public Consumer(ShapeState state, Optional<SnapshotInfo> recovered, ChangeFeed feed) {
        this(state, recovered, feed, ShapeMetrics.NONE);
    }

    public Consumer(ShapeState state, Optional<SnapshotInfo> recovered, ChangeFeed feed, ShapeMetrics metrics) {
        this.metrics = metrics;
        this.state = state;
        this.storage = state.storage();
        this.recovered = recovered;
        this.feed = feed;
        this.transactions = new TransactionLog(new ShapeChangeConverter(state.definition()));
    }

    private enum Outcome { CONTINUE, STOP }

    @Override
    public void run(ProcessContext ctx) throws Exception {
        MDC.put(SHAPE_HANDLE, state.handle());
        try {
            ShapeDefinition d = state.definition();
            feed.subscribe(new ShapeSubscription(state.handle(), d.table(), d.where().orElse(null), ctx.self()));
            recovered.ifPresent(transactions::snapshotKnown);
            ctx.started();
            loop(ctx);
        } finally {
            // Every end of the shape's own (removal, truncate, schema change, failed snapshot) was recorded before
            // this; what is left is a stop from above, with the shape's storage kept for the next ShapeCache.
            state.suspend("its consumer stopped");
        }
    }

    private void loop(ProcessContext ctx) throws Exception {
        while (true) {
            Object m;
            if (hasUnflushed) {
                // A fixed deadline from the first unflushed commit: a busy shape still flushes every FLUSH_DELAY.
                long left = flushDeadline - System.nanoTime();
                m = left > 0 ? ctx.receive(Duration.ofNanos(left)) : null;
                if (m == null) {
                    flush();
                    continue;
                }
            } else {
                m = ctx.receive();
            }
            if (handle(m) == Outcome.STOP) return;
        }
    }

    private Outcome handle(Object m) throws Exception {
        return switch (m) {
            case ConsumerMessages.Deliver d -> {
                if (!transactions.isSnapshotKnown()) {
                    waitingForSnapshot.add(d);
                    yield Outcome.CONTINUE;
                }
                yield deliver(d);
            }
            case SnapshotStarted(SnapshotInfo info) -> {
                transactions.snapshotKnown(info);
                Outcome o = Outcome.CONTINUE;
                for (ConsumerMessages.Deliver d : waitingForSnapshot) {
                    if (o == Outcome.CONTINUE) o = deliver(d);
                }
                waitingForSnapshot.clear();
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
            default -> Outcome.CONTINUE;
        };
    }

    private Outcome deliver(ConsumerMessages.Deliver d) throws Exception {
        TransactionFragment f = d.fragment();
        TransactionLog.Step step = transactions.accept(f, d.matches());
        if (step.truncated()) return end(state.definition().table().quotedName() + " was truncated");
        if (!step.items().isEmpty()) storage.appendLog(step.items());
        if (step.transactionEnded()) {
            if (step.wroteInTransaction()) state.publishLatestOffset(storage.latestOffset());
            unflushedCommit = f.commitLsn();
            if (!hasUnflushed) flushDeadline = System.nanoTime() + FLUSH_DELAY.toNanos();
            hasUnflushed = true;
        }
        return Outcome.CONTINUE;
    }

    private void flush() throws Exception {
        long started = System.nanoTime();
        storage.flush();
        metrics.flushed(System.nanoTime() - started);
        feed.flushed(state.handle(), unflushedCommit);
        hasUnflushed = false;
    }

    /** The relation still has the columns (names and types, in order) the shape was defined against. */
    private boolean matchesTable(Relation r) {
        TableInfo t = state.definition().table();
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
