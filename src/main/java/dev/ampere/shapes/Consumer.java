package dev.ampere.shapes;

import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.TableInfo;
import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessContext;
import dev.ampere.process.ProcessRef;
import dev.ampere.changes.Change;
import dev.ampere.replication.ConsumerMessages;
import dev.ampere.changes.Relation;
import dev.ampere.replication.ShapeLogCollector;
import dev.ampere.replication.ShapeSubscription;
import dev.ampere.changes.TransactionFragment;
import dev.ampere.shapecache.ShapeCache;
import dev.ampere.shapecache.ShapeEvent;
import dev.ampere.shapecache.ShapeStatus;
import dev.ampere.shapecache.storage.LogItem;
import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.SnapshotInfo;
import dev.ampere.stack.Names;
import dev.ampere.stack.Stack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A shape's consumer (PROTOCOL.md §3.4): takes the transactions the ShapeLogCollector routes to it, drops those its
 * snapshot already contains, converts the rest into the shape's log items (encoded once), appends them to storage,
 * publishes the new end to readers at each transaction end and wakes the requests waiting on the handle. It
 * flushes storage in batches (when its mailbox runs dry, or after {@link #FLUSH_DELAY}) and only then reports the
 * transactions durable to the collector. A TRUNCATE of its table, or a schema change, ends the shape: the ShapeCache
 * removes it and clients get a 409.
 *
 * <p>Threading: a process; all state is confined to its thread except the {@link ShapeStatus} it publishes.
 */
public final class Consumer implements ProcessBody {
    static final Duration FLUSH_DELAY = Duration.ofMillis(5);

    /** From the snapshotter: the snapshot's bounds are known (rows may still be coming). */
    public record SnapshotStarted(SnapshotInfo info) {}

    public record SnapshotFailed(Throwable error) {}

    private final Stack stack;
    private final ShapeStatus status;
    private final ShapeStorage storage;
    private final Optional<SnapshotInfo> recovered;
    private final ShapeChangeConverter converter;

    private ProcessRef collector;
    private SnapshotVisibility visibility;
    private boolean filtering;
    private final List<TransactionFragment> waitingForSnapshot = new ArrayList<>();
    private boolean inTransaction;
    private boolean skipTransaction;
    private boolean wroteInTransaction;
    private LogItem heldBack;
    private long unflushedCommit;
    private boolean hasUnflushed;
    private long flushDeadline;

    public Consumer(Stack stack, ShapeStatus status, Optional<SnapshotInfo> recovered) {
        this.stack = stack;
        this.status = status;
        this.storage = status.storage();
        this.recovered = recovered;
        this.converter = new ShapeChangeConverter(status.definition());
    }

    private enum Outcome { CONTINUE, STOP }

    @Override
    public void run(ProcessContext ctx) throws Exception {
        collector = stack.registry().whereis(Names.SHAPE_LOG_COLLECTOR)
                .orElseThrow(() -> new IllegalStateException("the shape log collector is not running"));
        ShapeDefinition d = status.definition();
        ShapeLogCollector.subscribe(collector, new ShapeSubscription(status.handle(), d.table(),
                d.where().orElse(null), ctx.self()));
        recovered.ifPresent(this::snapshotKnown);
        ctx.started();
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
            Outcome outcome = switch (m) {
                case SnapshotStarted(SnapshotInfo info) -> {
                    snapshotKnown(info);
                    Outcome o = Outcome.CONTINUE;
                    for (TransactionFragment f : waitingForSnapshot) {
                        if (o == Outcome.CONTINUE) o = handle(f);
                    }
                    waitingForSnapshot.clear();
                    yield o;
                }
                case SnapshotFailed(Throwable error) -> {
                    status.snapshotFailed(error);
                    yield invalidate("its snapshot failed: " + error.getMessage());
                }
                case ConsumerMessages.Deliver(TransactionFragment f) -> {
                    if (visibility == null) {
                        waitingForSnapshot.add(f);
                        yield Outcome.CONTINUE;
                    }
                    yield handle(f);
                }
                case ConsumerMessages.RelationChanged(Relation r) ->
                        matchesTable(r) ? Outcome.CONTINUE : invalidate("the schema of " + r + " changed");
                case ConsumerMessages.StreamRestarted() -> {
                    heldBack = null;
                    inTransaction = false;
                    yield Outcome.CONTINUE;
                }
                default -> Outcome.CONTINUE;
            };
            if (outcome == Outcome.STOP) return;
        }
    }

    private void snapshotKnown(SnapshotInfo info) {
        visibility = new SnapshotVisibility(info);
        filtering = true;
        status.snapshotStarted();
    }

    private Outcome handle(TransactionFragment f) throws Exception {
        // The collector only sends a shape the fragments that affect it, so a transaction may begin, for this shape,
        // with a fragment that is not the transaction's first.
        if (f.first() || !inTransaction) {
            inTransaction = true;
            if (filtering && visibility.isAfterSnapshot(f.xid())) filtering = false;
            skipTransaction = filtering && visibility.containsTransaction(f.xid());
            wroteInTransaction = false;
            heldBack = null;
        }
        if (!skipTransaction) {
            List<LogItem> items = new ArrayList<>();
            for (Change change : f.changes()) {
                if (!converter.isForTable(change)) continue;
                if (change instanceof Change.Truncate) return invalidate(change.relation() + " was truncated");
                converter.convert(change, f.commitLsn(), f.xid(), items);
            }
            List<LogItem> ready = new ArrayList<>(items.size() + 1);
            for (LogItem item : items) {
                if (heldBack != null) ready.add(heldBack);
                heldBack = item;
            }
            if (f.last() && heldBack != null) {
                ready.add(new LogItem(heldBack.offset(), heldBack.key(), heldBack.operation(),
                        LogItemEncoder.markLast(heldBack.json())));
                heldBack = null;
            }
            if (!ready.isEmpty()) {
                storage.appendLog(ready);
                wroteInTransaction = true;
            }
        }
        if (f.last()) {
            inTransaction = false;
            endTransaction(f.commitLsn());
        }
        return Outcome.CONTINUE;
    }

    private void endTransaction(long commitLsn) throws Exception {
        if (wroteInTransaction) {
            status.publishLatestOffset(storage.latestOffset());
            stack.shapeSubscriptions().dispatch(status.handle(), new ShapeEvent.NewChanges(status.latestOffset()));
        }
        unflushedCommit = commitLsn;
        if (!hasUnflushed) flushDeadline = System.nanoTime() + FLUSH_DELAY.toNanos();
        hasUnflushed = true;
    }

    private void flush() throws Exception {
        storage.flush();
        collector.send(new ShapeLogCollector.Flushed(status.handle(), unflushedCommit));
        hasUnflushed = false;
    }

    /** The relation still has the columns (names and types, in order) the shape was defined against. */
    private boolean matchesTable(Relation r) {
        TableInfo t = status.definition().table();
        if (!r.schema().equals(t.schema()) || !r.table().equals(t.name())) return false;
        if (r.columns().size() != t.columns().size()) return false;
        for (int i = 0; i < t.columns().size(); i++) {
            ColumnInfo c = t.columns().get(i);
            Relation.Column rc = r.columns().get(i);
            if (!rc.name().equals(c.name()) || rc.typeOid() != c.typeOid()) return false;
        }
        return true;
    }

    private Outcome invalidate(String reason) {
        ShapeCache.invalidate(stack, status.handle(), reason);
        return Outcome.STOP;
    }
}
