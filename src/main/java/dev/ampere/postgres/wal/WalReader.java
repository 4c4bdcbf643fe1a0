package dev.ampere.postgres.wal;

import dev.ampere.changes.Lsn;
import dev.ampere.postgres.wal.AssemblerStats;
import dev.ampere.postgres.wal.ChangeSink;
import dev.ampere.postgres.wal.ReplicationFeedback;
import dev.ampere.postgres.wal.KeyColumnLookup;
import dev.ampere.changes.Relation;
import dev.ampere.postgres.wal.TransactionAssembler;
import dev.ampere.changes.TransactionFragment;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.postgresql.replication.fluent.logical.ChainedLogicalStreamBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads one logical replication slot over a pgjdbc replication connection: runs {@code START_REPLICATION ...
 * LOGICAL} with pgoutput, feeds every XLogData payload to a {@link TransactionAssembler} that delivers fragments and
 * relation events to a {@link ChangeSink}, and acknowledges to Postgres only what the sink reported durable
 * (through {@link #durable(long)}), always at commit boundaries. Status updates go out at least every
 * {@code statusInterval} (pgjdbc's own timer, fed with the last durable position) so a slow sink never lets the
 * server time the connection out, as long as the sink's calls return promptly.
 *
 * <p>When the stream is idle, no transaction is open and every delivered commit is durable, the reader acknowledges
 * the server's last reported WAL position, so a slot whose publication sees no writes still advances.
 *
 * <p>Threading: {@link #run()} blocks the calling thread (the reader starts none of its own) and is called once.
 * {@link #durable(long)}, {@link #stop()}, {@link #lastReceivedLsn()} and {@link #lastAcknowledgedLsn()} are
 * thread-safe. The sink is called on the thread running {@code run()}.
 */
public final class WalReader implements ReplicationFeedback {
    private static final Logger log = LoggerFactory.getLogger(WalReader.class);
    /** How long an idle reader waits before polling again: bounds the added latency of a change that arrives then. */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MIN_FORCED_STATUS_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final PGConnection connection;
    private final WalReaderOptions options;
    private final TransactionAssembler assembler;
    private final CommitLsnQueue pending = new CommitLsnQueue();
    private final AtomicLong durableCommitLsn = new AtomicLong();
    private volatile boolean stopped;
    private volatile Thread runner;
    private PGReplicationStream current; // confined to the runner thread
    private volatile long lastReceived;
    private volatile long lastAcknowledged;
    private long lastForcedStatusNanos;

    /**
     * @param connection a connection opened by {@link ReplicationConnections#open} (replication=database)
     * @param keys       the key columns per table (the catalog primary key)
     * @param sink       receives relations and fragments; it must eventually call {@link #durable(long)}
     */
    public WalReader(PGConnection connection, WalReaderOptions options, KeyColumnLookup keys, ChangeSink sink) {
        this.connection = connection;
        this.options = options;
        this.assembler = new TransactionAssembler(keys, new CommitTracking(sink), options.fragmentSize(),
                options.spillDirectory());
        this.lastAcknowledged = options.startLsn().value();
    }

    /**
     * Streams until {@link #stop()}, an interrupt of the calling thread, or an error (a dropped connection surfaces
     * as SQLException; an exception thrown by the sink propagates). A reader runs once: after a failure, open a new
     * connection and a new reader, which restarts from the slot's acknowledged position.
     */
    public void run() throws SQLException {
        runner = Thread.currentThread();
        PGReplicationStream stream = start();
        current = stream;
        try (assembler) {
            if (lastAcknowledged != 0) {
                stream.setFlushedLSN(LogSequenceNumber.valueOf(lastAcknowledged));
                stream.setAppliedLSN(LogSequenceNumber.valueOf(lastAcknowledged));
            }
            // An interrupt (a supervisor cancelling its scope) stops the reader like stop() does.
            while (!stopped && !Thread.currentThread().isInterrupted()) {
                ByteBuffer payload = stream.readPending();
                if (payload != null) {
                    lastReceived = stream.getLastReceiveLSN().asLong();
                    assembler.accept(payload);
                    acknowledge(stream, false);
                } else {
                    long keepalive = stream.getLastReceiveLSN().asLong();
                    if (Long.compareUnsigned(keepalive, lastReceived) > 0) lastReceived = keepalive;
                    acknowledge(stream, true);
                    LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                }
            }
        } finally {
            runner = null;
            current = null;
            closeQuietly(stream);
        }
    }

    private PGReplicationStream start() throws SQLException {
        ChainedLogicalStreamBuilder builder = connection.getReplicationAPI().replicationStream().logical()
                .withSlotName(options.slot())
                .withSlotOption("proto_version", options.protoVersion())
                .withSlotOption("publication_names", options.publication())
                .withStatusInterval((int) options.statusInterval().toMillis(), TimeUnit.MILLISECONDS);
        if (options.protoVersion() >= 2) builder = builder.withSlotOption("streaming", "on");
        if (options.messages()) builder = builder.withSlotOption("messages", "true");
        if (options.startLsn().value() != 0) {
            builder = builder.withStartPosition(LogSequenceNumber.valueOf(options.startLsn().value()));
        }
        log.info("starting replication from slot {} (publication {}, proto {}) at {}", options.slot(),
                options.publication(), options.protoVersion(), options.startLsn());
        return builder.start();
    }

    /**
     * Moves the flushed/applied position to the end of the last durable commit. A forced status update goes out
     * when it moved, at most every 20 ms under load; pgjdbc's timer sends the position every status interval.
     */
    private void acknowledge(PGReplicationStream stream, boolean idle) throws SQLException {
        long ack = pending.isEmpty() ? 0 : pending.popDurable(durableCommitLsn.get());
        if (idle && pending.isEmpty() && assembler.idle() && Long.compareUnsigned(lastReceived, lastAcknowledged) > 0) {
            ack = lastReceived;
        }
        if (ack == 0 || Long.compareUnsigned(ack, lastAcknowledged) <= 0) return;
        lastAcknowledged = ack;
        LogSequenceNumber lsn = LogSequenceNumber.valueOf(ack);
        stream.setFlushedLSN(lsn);
        stream.setAppliedLSN(lsn);
        long now = System.nanoTime();
        if (idle || now - lastForcedStatusNanos >= MIN_FORCED_STATUS_GAP_NANOS) {
            lastForcedStatusNanos = now;
            stream.forceUpdateStatus();
        }
    }

    @Override
    public void durable(long commitLsn) {
        durableCommitLsn.accumulateAndGet(commitLsn, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
        Thread t = runner;
        if (t != null) LockSupport.unpark(t);
    }

    /** Reports the durable position and forces a status update; on the runner thread, during a sink call. */
    @Override
    public void keepAlive() {
        PGReplicationStream stream = current;
        if (stream == null || Thread.currentThread() != runner) return;
        try {
            acknowledge(stream, false);
            stream.forceUpdateStatus();
        } catch (SQLException e) {
            throw new IllegalStateException("the replication connection failed while waiting: " + e.getMessage(), e);
        }
    }

    /** Makes {@link #run()} return soon; safe from any thread. */
    public void stop() {
        stopped = true;
        Thread t = runner;
        if (t != null) LockSupport.unpark(t);
    }

    /** The WAL position of the last message or keepalive received. */
    public Lsn lastReceivedLsn() {
        return new Lsn(lastReceived);
    }

    /** The last position reported to Postgres as flushed. */
    public Lsn lastAcknowledgedLsn() {
        return new Lsn(lastAcknowledged);
    }

    public AssemblerStats stats() {
        return assembler.stats();
    }

    private static void closeQuietly(PGReplicationStream stream) {
        try {
            if (!stream.isClosed()) stream.close();
        } catch (SQLException e) {
            log.debug("closing the replication stream failed", e);
        }
    }

    /** Records each delivered commit before the sink sees it, so a durable report made inside the call counts. */
    private final class CommitTracking implements ChangeSink {
        private final ChangeSink sink;

        CommitTracking(ChangeSink sink) {
            this.sink = sink;
        }

        @Override
        public void onRelation(Relation relation) {
            sink.onRelation(relation);
        }

        @Override
        public void onFragment(TransactionFragment fragment) {
            if (fragment.last()) pending.add(fragment.commitLsn(), fragment.endLsn());
            sink.onFragment(fragment);
        }

        @Override
        public void onMessage(String prefix, byte[] content) {
            sink.onMessage(prefix, content);
        }
    }
}
