package dev.ampere.postgres.pgoutput;

import java.util.List;

/**
 * One pgoutput logical replication message, as carried by one XLogData payload (protocol versions 1 and 2;
 * PostgreSQL docs, "Logical Replication Message Formats"). Produced by {@link PgOutputDecoder}; the records keep
 * the wire's meaning and do no interpretation beyond decoding text as UTF-8.
 *
 * <p>LSNs are unsigned 64-bit values held in {@code long}; xids are unsigned 32-bit values held in {@code long}
 * (0 when the message carries none: outside a stream block, changes carry no xid). Timestamps are microseconds
 * since 2000-01-01 00:00 UTC, as on the wire.
 *
 * <p>Immutable, except that arrays inside records are not copied: treat them as read-only.
 */
public sealed interface PgOutputMessage {

    /** {@code B}: a (non-streamed) transaction begins; {@code finalLsn} is the LSN of its commit record. */
    record Begin(long finalLsn, long commitTimeMicros, long xid) implements PgOutputMessage {}

    /** {@code C}: the transaction begun by the last {@link Begin} committed. */
    record Commit(int flags, long commitLsn, long endLsn, long commitTimeMicros) implements PgOutputMessage {}

    /** {@code O}: the transaction came from another node through replication origin {@code name}. */
    record Origin(long originCommitLsn, String name) implements PgOutputMessage {}

    /**
     * {@code R}: the description of a table, sent before its first change in a session and again after it changes.
     * {@code replicaIdentity} is {@code d}, {@code n}, {@code f} or {@code i}.
     */
    record Relation(long xid, int relationId, String schema, String table, char replicaIdentity,
                    List<Column> columns) implements PgOutputMessage {
        /** One column; {@code key} is pgoutput's flag 1: part of the replica identity (every column under FULL). */
        public record Column(boolean key, String name, int typeOid, int typeMod) {}
    }

    /** {@code Y}: a non-builtin data type used by a following Relation. */
    record Type(long xid, int typeOid, String schema, String name) implements PgOutputMessage {}

    /** {@code I}: a new row. */
    record Insert(long xid, int relationId, TupleData newTuple) implements PgOutputMessage {}

    /**
     * {@code U}: an updated row. {@code oldKind} is {@code 'O'} (whole old row, REPLICA IDENTITY FULL), {@code 'K'}
     * (old key columns, when the key changed) or {@code 0} with a null {@code oldTuple} (no old data sent).
     */
    record Update(long xid, int relationId, char oldKind, TupleData oldTuple, TupleData newTuple)
            implements PgOutputMessage {}

    /** {@code D}: a deleted row; {@code oldKind} is {@code 'O'} or {@code 'K'} as for {@link Update}. */
    record Delete(long xid, int relationId, char oldKind, TupleData oldTuple) implements PgOutputMessage {}

    /** {@code T}: one TRUNCATE statement over one or more tables. */
    record Truncate(long xid, int[] relationIds, boolean cascade, boolean restartIdentity)
            implements PgOutputMessage {}

    /** {@code M}: a message from {@code pg_logical_emit_message}; sent only with the {@code messages} option. */
    record Message(long xid, boolean transactional, long lsn, String prefix, byte[] content)
            implements PgOutputMessage {}

    /** {@code S} (protocol 2): a block of changes of in-progress transaction {@code xid} follows. */
    record StreamStart(long xid, boolean firstSegment) implements PgOutputMessage {}

    /** {@code E} (protocol 2): the current stream block ends. */
    record StreamStop() implements PgOutputMessage {}

    /** {@code c} (protocol 2): streamed transaction {@code xid} committed. */
    record StreamCommit(long xid, int flags, long commitLsn, long endLsn, long commitTimeMicros)
            implements PgOutputMessage {}

    /**
     * {@code A} (protocol 2): streamed transaction {@code xid} aborted when {@code subXid == xid}; otherwise only
     * its subtransaction {@code subXid} (whose changes carried that xid) rolled back.
     */
    record StreamAbort(long xid, long subXid) implements PgOutputMessage {}
}
