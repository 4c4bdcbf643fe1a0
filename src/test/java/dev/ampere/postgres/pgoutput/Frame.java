package dev.ampere.postgres.pgoutput;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds pgoutput payloads byte by byte for tests, big-endian as on the wire. Public so that tests of the
 * assembler (another package) can build the same frames.
 */
public final class Frame {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static Frame of(char tag) {
        return new Frame().u8(tag);
    }

    public Frame u8(int v) {
        out.write(v);
        return this;
    }

    public Frame i16(int v) {
        return u8(v >>> 8).u8(v & 0xff);
    }

    public Frame i32(int v) {
        return i16(v >>> 16).i16(v & 0xffff);
    }

    public Frame i64(long v) {
        return i32((int) (v >>> 32)).i32((int) v);
    }

    public Frame cstring(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        return u8(0);
    }

    public Frame bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** A TupleData: each value is null (n), {@link #UNCHANGED} (u) or a String (t). */
    public Frame tuple(Object... values) {
        i16(values.length);
        for (Object v : values) {
            if (v == null) {
                u8('n');
            } else if (v == UNCHANGED) {
                u8('u');
            } else if (v instanceof byte[] bin) {
                u8('b').i32(bin.length).bytes(bin);
            } else {
                byte[] b = ((String) v).getBytes(StandardCharsets.UTF_8);
                u8('t').i32(b.length).bytes(b);
            }
        }
        return this;
    }

    public static final Object UNCHANGED = new Object();

    public byte[] toBytes() {
        return out.toByteArray();
    }

    public ByteBuffer buffer() {
        return ByteBuffer.wrap(toBytes());
    }

    // Ready-made messages (protocol 1 unless an xid is given).

    public static byte[] begin(long finalLsn, long time, int xid) {
        return of('B').i64(finalLsn).i64(time).i32(xid).toBytes();
    }

    public static byte[] commit(long commitLsn, long endLsn, long time) {
        return of('C').u8(0).i64(commitLsn).i64(endLsn).i64(time).toBytes();
    }

    /** A Relation message; columns given as name, typeOid pairs, all flagged as key when {@code full}. */
    public static byte[] relation(Integer streamXid, int id, String schema, String table, boolean full, Object... nameOid) {
        Frame f = of('R');
        if (streamXid != null) f.i32(streamXid);
        f.i32(id).cstring(schema).cstring(table).u8(full ? 'f' : 'd').i16(nameOid.length / 2);
        for (int i = 0; i < nameOid.length; i += 2) {
            f.u8(full || i == 0 ? 1 : 0).cstring((String) nameOid[i]).i32((Integer) nameOid[i + 1]).i32(-1);
        }
        return f.toBytes();
    }

    public static byte[] insert(Integer streamXid, int rel, Object... values) {
        Frame f = of('I');
        if (streamXid != null) f.i32(streamXid);
        return f.i32(rel).u8('N').tuple(values).toBytes();
    }

    public static byte[] update(Integer streamXid, int rel, Object[] old, Object... values) {
        Frame f = of('U');
        if (streamXid != null) f.i32(streamXid);
        f.i32(rel);
        if (old != null) f.u8('O').tuple(old);
        return f.u8('N').tuple(values).toBytes();
    }

    public static byte[] delete(Integer streamXid, int rel, Object... old) {
        Frame f = of('D');
        if (streamXid != null) f.i32(streamXid);
        return f.i32(rel).u8('O').tuple(old).toBytes();
    }

    public static byte[] truncate(Integer streamXid, int options, int... rels) {
        Frame f = of('T');
        if (streamXid != null) f.i32(streamXid);
        f.i32(rels.length).u8(options);
        for (int r : rels) f.i32(r);
        return f.toBytes();
    }

    public static byte[] streamStart(int xid, boolean first) {
        return of('S').i32(xid).u8(first ? 1 : 0).toBytes();
    }

    public static byte[] streamStop() {
        return of('E').toBytes();
    }

    public static byte[] streamCommit(int xid, long commitLsn, long endLsn, long time) {
        return of('c').i32(xid).u8(0).i64(commitLsn).i64(endLsn).i64(time).toBytes();
    }

    public static byte[] streamAbort(int xid, int subXid) {
        return of('A').i32(xid).i32(subXid).toBytes();
    }
}
