package dev.ampere.postgres.wal;
import dev.ampere.changes.Relation;
import dev.ampere.changes.TransactionFragment;

import dev.ampere.postgres.pgoutput.PgOutputDecoder;
import dev.ampere.postgres.pgoutput.PgOutputMessage;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns the pgoutput stream of one replication connection into committed transactions, delivered to a
 * {@link ChangeSink} as bounded {@link TransactionFragment}s, plus {@link Relation} events. Memory never grows
 * with transaction size:
 * <ul>
 *   <li>Protocol 1 (and small transactions under protocol 2): Postgres sends a transaction only once it committed
 *   and its Begin already carries the commit LSN, so changes are numbered and cut into fragments as they arrive.
 *   <li>Protocol 2 with {@code streaming=on}: a large transaction arrives in stream blocks before it commits, with
 *   other transactions in between. Its raw messages go to a {@link SpilledTransaction} file per top-level xid; a
 *   Stream Abort deletes the file (or marks a subtransaction as rolled back), a Stream Commit replays it as
 *   fragments.
 * </ul>
 * Offsets are {@code (commit LSN, 2i)} for the i-th change; keys follow docs/protocol.md §1.11 with key columns from the
 * caller's {@link KeyColumnLookup}.
 *
 * <p>One assembler per replication connection (a new connection resends unacknowledged transactions from their
 * start, so {@link #close()} the old one). Not thread-safe: call it from the replication thread only.
 */
public final class TransactionAssembler implements AutoCloseable {
    /** A fragment size that keeps a fragment in the tens of kilobytes for typical rows. */
    public static final int DEFAULT_FRAGMENT_SIZE = 500;

    private record RelationPayload(byte[] bytes, boolean streamed) {}

    private final KeyColumnLookup keyLookup;
    private final ChangeSink sink;
    private final int maxFragmentChanges;
    private final Path spillDirectory;
    private final PgOutputDecoder decoder = new PgOutputDecoder();
    private final ChangeConverter live;
    private final Map<Integer, RelationPayload> relationPayloads = new HashMap<>();
    private final Map<Long, SpilledTransaction> spills = new HashMap<>();
    private final AssemblerStats stats = new AssemblerStats();
    private FragmentBuilder current;
    private SpilledTransaction currentStream;

    /**
     * @param maxFragmentChanges the most changes in one fragment (and so in memory at once)
     * @param spillDirectory     where streamed transactions are spilled (created when needed)
     */
    public TransactionAssembler(KeyColumnLookup keyLookup, ChangeSink sink, int maxFragmentChanges, Path spillDirectory) {
        if (maxFragmentChanges < 1) throw new IllegalArgumentException("fragment size must be positive");
        this.keyLookup = keyLookup;
        this.sink = sink;
        this.maxFragmentChanges = maxFragmentChanges;
        this.spillDirectory = spillDirectory;
        this.live = new ChangeConverter(keyLookup);
    }

    /** Processes one XLogData payload (position to limit); the buffer may be reused after the call. */
    public void accept(ByteBuffer payload) {
        int start = payload.position();
        boolean streamed = decoder.inStreamBlock();
        if (streamed) {
            int[] relationIds = PgOutputDecoder.relationIds(payload, true);
            if (relationIds != null) {
                spill(payload, start, relationIds);
                return;
            }
        }
        PgOutputMessage message = decoder.decode(payload);
        switch (message) {
            case PgOutputMessage.Begin b -> {
                if (current != null) throw new IllegalStateException("Begin inside transaction " + b);
                current = new FragmentBuilder(b.xid(), b.finalLsn(), b.commitTimeMicros(), maxFragmentChanges, sink, stats);
            }
            case PgOutputMessage.Commit c -> {
                if (current == null) throw new IllegalStateException("Commit without Begin: " + c);
                if (c.commitLsn() != current.commitLsn()) {
                    throw new IllegalStateException("Commit LSN " + Long.toHexString(c.commitLsn())
                            + " differs from Begin's final LSN " + Long.toHexString(current.commitLsn()));
                }
                FragmentBuilder done = current;
                current = null;
                done.finish(c.endLsn());
            }
            case PgOutputMessage.Relation r -> {
                relationPayloads.put(r.relationId(), new RelationPayload(copy(payload, start), streamed));
                sink.onRelation(live.define(r));
            }
            case PgOutputMessage.Insert m -> change(m);
            case PgOutputMessage.Update m -> change(m);
            case PgOutputMessage.Delete m -> change(m);
            case PgOutputMessage.Truncate m -> change(m);
            case PgOutputMessage.StreamStart s -> currentStream = spills.computeIfAbsent(s.xid(),
                    xid -> new SpilledTransaction(xid, spillDirectory));
            case PgOutputMessage.StreamStop s -> currentStream = null;
            case PgOutputMessage.StreamCommit c -> commitStreamed(c);
            case PgOutputMessage.StreamAbort a -> abortStreamed(a);
            case PgOutputMessage.Origin o -> { }
            case PgOutputMessage.Type t -> { }
            // A position in the stream (docs/architecture.md, "Subset visibility"): every transaction that committed
            // before it has been delivered (a transactional one arrives with its own, at its commit).
            case PgOutputMessage.Message m -> sink.onMessage(m.prefix(), m.content());
        }
    }

    private void change(PgOutputMessage m) {
        if (current == null) throw new IllegalStateException("change outside a transaction: " + m);
        live.convert(m, current, current::add);
    }

    /** Stores a row message of an in-progress streamed transaction undecoded, after the relations it needs. */
    private void spill(ByteBuffer payload, int start, int[] relationIds) {
        if (currentStream == null) throw new IllegalStateException("streamed change outside a stream block");
        for (int id : relationIds) {
            RelationPayload rel = relationPayloads.get(id);
            if (rel == null) throw new IllegalStateException("change for unknown relation " + id);
            currentStream.ensureRelation(rel.bytes, rel.streamed);
        }
        int length = payload.limit() - start;
        if (payload.hasArray()) {
            currentStream.append(payload.array(), payload.arrayOffset() + start, length, true);
        } else {
            byte[] bytes = copy(payload, start);
            currentStream.append(bytes, 0, bytes.length, true);
        }
        stats.spilled(length);
    }

    private void commitStreamed(PgOutputMessage.StreamCommit c) {
        FragmentBuilder builder = new FragmentBuilder(c.xid(), c.commitLsn(), c.commitTimeMicros(), maxFragmentChanges,
                sink, stats);
        SpilledTransaction spill = spills.remove(c.xid());
        if (spill != null) {
            try {
                ChangeConverter replay = new ChangeConverter(keyLookup);
                spill.replay((buf, streamed) -> {
                    PgOutputMessage m = PgOutputDecoder.decode(buf, streamed);
                    if (m instanceof PgOutputMessage.Relation r) {
                        replay.define(r);
                    } else if (!spill.isAborted(xidOf(m))) {
                        replay.convert(m, builder, builder::add);
                    }
                });
            } finally {
                spill.discard();
            }
            stats.streamedCommit();
        }
        builder.finish(c.endLsn());
    }

    private void abortStreamed(PgOutputMessage.StreamAbort a) {
        SpilledTransaction spill = spills.get(a.xid());
        if (spill == null) return;
        if (a.subXid() == a.xid()) {
            spills.remove(a.xid());
            if (currentStream == spill) currentStream = null;
            spill.discard();
            stats.streamedAbort();
        } else {
            spill.abortSubtransaction(a.subXid());
        }
    }

    private static long xidOf(PgOutputMessage m) {
        return switch (m) {
            case PgOutputMessage.Insert i -> i.xid();
            case PgOutputMessage.Update u -> u.xid();
            case PgOutputMessage.Delete d -> d.xid();
            case PgOutputMessage.Truncate t -> t.xid();
            default -> 0;
        };
    }

    private static byte[] copy(ByteBuffer payload, int start) {
        if (payload.hasArray()) {
            int from = payload.arrayOffset() + start;
            return Arrays.copyOfRange(payload.array(), from, payload.arrayOffset() + payload.limit());
        }
        byte[] bytes = new byte[payload.limit() - start];
        payload.get(start, bytes);
        return bytes;
    }

    /** True between transactions with no streamed transaction in progress: everything received is delivered. */
    public boolean idle() {
        return current == null && spills.isEmpty();
    }

    public AssemblerStats stats() {
        return stats;
    }

    /** Number of streamed transactions currently spilled (in progress). */
    public int openSpills() {
        return spills.size();
    }

    /** Deletes the spill files of transactions still in progress. */
    @Override
    public void close() {
        for (SpilledTransaction s : spills.values()) s.discard();
        spills.clear();
        currentStream = null;
        current = null;
    }
}
