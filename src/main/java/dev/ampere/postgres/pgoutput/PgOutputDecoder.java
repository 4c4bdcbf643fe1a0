package dev.ampere.postgres.pgoutput;

import dev.ampere.postgres.pgoutput.PgOutputMessage.Begin;
import dev.ampere.postgres.pgoutput.PgOutputMessage.Commit;
import dev.ampere.postgres.pgoutput.PgOutputMessage.Delete;
import dev.ampere.postgres.pgoutput.PgOutputMessage.Insert;
import dev.ampere.postgres.pgoutput.PgOutputMessage.Message;
import dev.ampere.postgres.pgoutput.PgOutputMessage.Origin;
import dev.ampere.postgres.pgoutput.PgOutputMessage.Relation;
import dev.ampere.postgres.pgoutput.PgOutputMessage.StreamAbort;
import dev.ampere.postgres.pgoutput.PgOutputMessage.StreamCommit;
import dev.ampere.postgres.pgoutput.PgOutputMessage.StreamStart;
import dev.ampere.postgres.pgoutput.PgOutputMessage.StreamStop;
import dev.ampere.postgres.pgoutput.PgOutputMessage.Truncate;
import dev.ampere.postgres.pgoutput.PgOutputMessage.Type;
import dev.ampere.postgres.pgoutput.PgOutputMessage.Update;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes pgoutput payloads (protocol versions 1 and 2) into {@link PgOutputMessage} records. It is the codec at
 * the bottom of the replication client: bytes in, records out, no knowledge of relations or transactions.
 *
 * <p>Its only state is whether a protocol-2 stream block is open ({@code S} seen, {@code E} not yet): inside one,
 * Relation, Type, Insert, Update, Delete, Truncate and Message carry a leading xid, and outside they do not, so the
 * same bytes mean different things. {@link #decode(ByteBuffer, boolean)} is the stateless form.
 *
 * <p>Each column value allocates one String (decoded from the buffer's backing array when it has one); nothing
 * else is allocated per column. Not thread-safe: one decoder per replication stream.
 */
public final class PgOutputDecoder {
    private boolean inStreamBlock;

    /** Decodes one XLogData payload (from its position to its limit) and tracks stream-block state. */
    public PgOutputMessage decode(ByteBuffer payload) {
        PgOutputMessage m = decode(payload, inStreamBlock);
        if (m instanceof StreamStart) inStreamBlock = true;
        else if (m instanceof StreamStop) inStreamBlock = false;
        return m;
    }

    /** True between a Stream Start and its Stream Stop. */
    public boolean inStreamBlock() {
        return inStreamBlock;
    }

    /**
     * Decodes one payload; {@code streamed} says whether it was received inside a stream block (then changes carry
     * an xid). The buffer's position is advanced; its contents are not modified.
     */
    public static PgOutputMessage decode(ByteBuffer payload, boolean streamed) {
        try {
            byte tag = payload.get();
            return switch (tag) {
                case 'B' -> new Begin(payload.getLong(), payload.getLong(), xid(payload));
                case 'C' -> new Commit(payload.get(), payload.getLong(), payload.getLong(), payload.getLong());
                case 'O' -> new Origin(payload.getLong(), cstring(payload));
                case 'R' -> relation(payload, streamed);
                case 'Y' -> new Type(streamXid(payload, streamed), payload.getInt(), cstring(payload), cstring(payload));
                case 'I' -> insert(payload, streamed);
                case 'U' -> update(payload, streamed);
                case 'D' -> delete(payload, streamed);
                case 'T' -> truncate(payload, streamed);
                case 'M' -> message(payload, streamed);
                case 'S' -> new StreamStart(xid(payload), payload.get() == 1);
                case 'E' -> new StreamStop();
                case 'c' -> new StreamCommit(xid(payload), payload.get(), payload.getLong(), payload.getLong(),
                        payload.getLong());
                case 'A' -> new StreamAbort(xid(payload), xid(payload));
                default -> throw new PgOutputDecodeException(
                        "unsupported pgoutput message type '" + (char) tag + "' (0x" + Integer.toHexString(tag & 0xff) + ")");
            };
        } catch (BufferUnderflowException e) {
            throw new PgOutputDecodeException("truncated pgoutput message", e);
        }
    }

    /**
     * The relation ids a row message (Insert, Update, Delete, Truncate) refers to, read without decoding its
     * tuples and without moving the buffer's position; null for any other message. Lets a caller that only stores
     * the raw message (a spilled streamed transaction) skip decoding it twice.
     */
    public static int[] relationIds(ByteBuffer payload, boolean streamed) {
        int p = payload.position();
        byte tag = payload.get(p);
        int at = p + 1 + (streamed ? 4 : 0);
        try {
            return switch (tag) {
                case 'I', 'U', 'D' -> new int[]{payload.getInt(at)};
                case 'T' -> {
                    int n = payload.getInt(at);
                    int[] ids = new int[n];
                    for (int i = 0; i < n; i++) ids[i] = payload.getInt(at + 5 + 4 * i);
                    yield ids;
                }
                default -> null;
            };
        } catch (IndexOutOfBoundsException e) {
            throw new PgOutputDecodeException("truncated pgoutput message", e);
        }
    }

    private static long xid(ByteBuffer b) {
        return Integer.toUnsignedLong(b.getInt());
    }

    private static long streamXid(ByteBuffer b, boolean streamed) {
        return streamed ? xid(b) : 0;
    }

    private static Relation relation(ByteBuffer b, boolean streamed) {
        long xid = streamXid(b, streamed);
        int id = b.getInt();
        String schema = cstring(b);
        String table = cstring(b);
        char identity = (char) b.get();
        int n = Short.toUnsignedInt(b.getShort());
        List<Relation.Column> columns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean key = (b.get() & 1) != 0;
            columns.add(new Relation.Column(key, cstring(b), b.getInt(), b.getInt()));
        }
        return new Relation(xid, id, schema, table, identity, List.copyOf(columns));
    }

    private static Insert insert(ByteBuffer b, boolean streamed) {
        long xid = streamXid(b, streamed);
        int rel = b.getInt();
        expect(b, 'N', "Insert");
        return new Insert(xid, rel, tuple(b));
    }

    private static Update update(ByteBuffer b, boolean streamed) {
        long xid = streamXid(b, streamed);
        int rel = b.getInt();
        byte marker = b.get();
        char oldKind = 0;
        TupleData old = null;
        if (marker == 'K' || marker == 'O') {
            oldKind = (char) marker;
            old = tuple(b);
            marker = b.get();
        }
        if (marker != 'N') throw new PgOutputDecodeException("Update: expected 'N', got 0x" + Integer.toHexString(marker & 0xff));
        return new Update(xid, rel, oldKind, old, tuple(b));
    }

    private static Delete delete(ByteBuffer b, boolean streamed) {
        long xid = streamXid(b, streamed);
        int rel = b.getInt();
        byte marker = b.get();
        if (marker != 'K' && marker != 'O') {
            throw new PgOutputDecodeException("Delete: expected 'K' or 'O', got 0x" + Integer.toHexString(marker & 0xff));
        }
        return new Delete(xid, rel, (char) marker, tuple(b));
    }

    private static Truncate truncate(ByteBuffer b, boolean streamed) {
        long xid = streamXid(b, streamed);
        int n = b.getInt();
        int options = b.get();
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = b.getInt();
        return new Truncate(xid, ids, (options & 1) != 0, (options & 2) != 0);
    }

    private static Message message(ByteBuffer b, boolean streamed) {
        long xid = streamXid(b, streamed);
        boolean transactional = (b.get() & 1) != 0;
        long lsn = b.getLong();
        String prefix = cstring(b);
        byte[] content = new byte[b.getInt()];
        b.get(content);
        return new Message(xid, transactional, lsn, prefix, content);
    }

    private static void expect(ByteBuffer b, char marker, String what) {
        byte got = b.get();
        if (got != marker) {
            throw new PgOutputDecodeException(what + ": expected '" + marker + "', got 0x" + Integer.toHexString(got & 0xff));
        }
    }

    /** TupleData: Int16 column count, then per column a kind byte and, for {@code t}/{@code b}, Int32 length + bytes. */
    static TupleData tuple(ByteBuffer b) {
        int n = Short.toUnsignedInt(b.getShort());
        byte[] kinds = new byte[n];
        String[] texts = new String[n];
        byte[][] binaries = null;
        for (int i = 0; i < n; i++) {
            byte kind = b.get();
            kinds[i] = kind;
            switch (kind) {
                case TupleData.NULL, TupleData.UNCHANGED_TOAST -> { }
                case TupleData.TEXT -> texts[i] = utf8(b, b.getInt());
                case TupleData.BINARY -> {
                    if (binaries == null) binaries = new byte[n][];
                    binaries[i] = new byte[b.getInt()];
                    b.get(binaries[i]);
                }
                default -> throw new PgOutputDecodeException("unknown tuple column kind 0x" + Integer.toHexString(kind & 0xff));
            }
        }
        return new TupleData(kinds, texts, binaries);
    }

    private static String utf8(ByteBuffer b, int len) {
        if (len < 0 || len > b.remaining()) throw new PgOutputDecodeException("bad value length " + len);
        String s;
        if (b.hasArray()) {
            s = new String(b.array(), b.arrayOffset() + b.position(), len, StandardCharsets.UTF_8);
        } else {
            byte[] tmp = new byte[len];
            b.get(b.position(), tmp);
            s = new String(tmp, StandardCharsets.UTF_8);
        }
        b.position(b.position() + len);
        return s;
    }

    /** A NUL-terminated UTF-8 string. */
    private static String cstring(ByteBuffer b) {
        int start = b.position();
        int end = start;
        int limit = b.limit();
        while (end < limit && b.get(end) != 0) end++;
        if (end == limit) throw new PgOutputDecodeException("unterminated string");
        String s = utf8(b, end - start);
        b.get(); // the terminating NUL
        return s;
    }
}
