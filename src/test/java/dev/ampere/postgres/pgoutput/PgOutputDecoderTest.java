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
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PgOutputDecoderTest {

    private static PgOutputMessage decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        PgOutputMessage m = PgOutputDecoder.decode(b, false);
        assertEquals(0, b.remaining(), "whole payload consumed");
        return m;
    }

    private static PgOutputMessage decodeStreamed(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        PgOutputMessage m = PgOutputDecoder.decode(b, true);
        assertEquals(0, b.remaining(), "whole payload consumed");
        return m;
    }

    @Test
    void begin() {
        byte[] bytes = {'B', 0, 0, 0, 1, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0x03, (byte) 0xE8, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFE};
        assertEquals(new Begin(0x1_0000_0010L, 1000, 0xFFFF_FFFEL), decode(bytes));
    }

    @Test
    void beginWithLsnAbove2to63() {
        assertEquals(new Begin(0xF000_0000_0000_0001L, 5, 7), decode(Frame.begin(0xF000_0000_0000_0001L, 5, 7)));
    }

    @Test
    void commit() {
        assertEquals(new Commit(0, 0x100, 0x128, 42), decode(Frame.commit(0x100, 0x128, 42)));
    }

    @Test
    void origin() {
        byte[] bytes = Frame.of('O').i64(77).cstring("node_a").toBytes();
        assertEquals(new Origin(77, "node_a"), decode(bytes));
    }

    @Test
    void relationWithUnicodeNamesAndFlags() {
        byte[] bytes = Frame.of('R').i32(16384).cstring("public").cstring("tåble \"q\"").u8('f').i16(2)
                .u8(1).cstring("id").i32(23).i32(-1)
                .u8(0).cstring("näme").i32(1043).i32(14)
                .toBytes();
        Relation r = (Relation) decode(bytes);
        assertEquals(0, r.xid());
        assertEquals(16384, r.relationId());
        assertEquals("public", r.schema());
        assertEquals("tåble \"q\"", r.table());
        assertEquals('f', r.replicaIdentity());
        assertEquals(List.of(new Relation.Column(true, "id", 23, -1), new Relation.Column(false, "näme", 1043, 14)),
                r.columns());
    }

    @Test
    void relationInStreamCarriesXid() {
        Relation r = (Relation) decodeStreamed(Frame.relation(900, 5, "s", "t", true, "a", 25));
        assertEquals(900, r.xid());
        assertEquals(5, r.relationId());
        assertEquals(List.of(new Relation.Column(true, "a", 25, -1)), r.columns());
    }

    @Test
    void type() {
        byte[] bytes = Frame.of('Y').i32(70000).cstring("public").cstring("mood").toBytes();
        assertEquals(new Type(0, 70000, "public", "mood"), decode(bytes));
    }

    @Test
    void insertWithEveryValueKind() {
        byte[] bin = {1, 2, (byte) 0xff};
        byte[] bytes = Frame.of('I').i32(16384).u8('N').tuple("42", null, Frame.UNCHANGED, "héllo", "", bin).toBytes();
        Insert i = (Insert) decode(bytes);
        assertEquals(16384, i.relationId());
        TupleData t = i.newTuple();
        assertEquals(6, t.size());
        assertEquals("42", t.text(0));
        assertEquals(TupleData.NULL, t.kind(1));
        assertNull(t.text(1));
        assertEquals(TupleData.UNCHANGED_TOAST, t.kind(2));
        assertEquals("héllo", t.text(3));
        assertEquals("", t.text(4));
        assertEquals(TupleData.BINARY, t.kind(5));
        assertArrayEquals(bin, t.binary(5));
        assertTrue(t.hasUnchangedToast());
    }

    @Test
    void insertFromDirectBufferAndSlicedArray() {
        byte[] frame = Frame.insert(null, 1, "x", "ÿ");
        ByteBuffer direct = ByteBuffer.allocateDirect(frame.length);
        direct.put(frame).flip();
        Insert a = (Insert) PgOutputDecoder.decode(direct, false);
        byte[] padded = new byte[frame.length + 3];
        System.arraycopy(frame, 0, padded, 3, frame.length);
        Insert b = (Insert) PgOutputDecoder.decode(ByteBuffer.wrap(padded, 3, frame.length).slice(), false);
        assertEquals(a.newTuple(), b.newTuple());
        assertEquals("ÿ", b.newTuple().text(1));
    }

    @Test
    void updateWithOldRow() {
        Update u = (Update) decode(Frame.update(null, 7, new Object[]{"1", "a"}, "2", Frame.UNCHANGED));
        assertEquals('O', u.oldKind());
        assertEquals("1", u.oldTuple().text(0));
        assertEquals("2", u.newTuple().text(0));
        assertEquals(TupleData.UNCHANGED_TOAST, u.newTuple().kind(1));
    }

    @Test
    void updateWithKeyOnly() {
        byte[] bytes = Frame.of('U').i32(7).u8('K').tuple("1", null).u8('N').tuple("2", "b").toBytes();
        Update u = (Update) decode(bytes);
        assertEquals('K', u.oldKind());
        assertEquals("1", u.oldTuple().text(0));
        assertEquals(TupleData.NULL, u.oldTuple().kind(1));
    }

    @Test
    void updateWithoutOldData() {
        Update u = (Update) decode(Frame.update(null, 7, null, "2", "b"));
        assertEquals(0, u.oldKind());
        assertNull(u.oldTuple());
        assertEquals("b", u.newTuple().text(1));
    }

    @Test
    void updateRejectsBadMarker() {
        byte[] bytes = Frame.of('U').i32(7).u8('X').tuple("1").toBytes();
        assertThrows(PgOutputDecodeException.class, () -> decode(bytes));
    }

    @Test
    void deleteWithOldRowAndKey() {
        Delete d = (Delete) decode(Frame.delete(null, 9, "1", null));
        assertEquals('O', d.oldKind());
        assertEquals("1", d.oldTuple().text(0));
        Delete k = (Delete) decode(Frame.of('D').i32(9).u8('K').tuple("5").toBytes());
        assertEquals('K', k.oldKind());
        assertEquals("5", k.oldTuple().text(0));
    }

    @Test
    void truncateFlagsAndSeveralRelations() {
        Truncate t = (Truncate) decode(Frame.truncate(null, 3, 10, 11, 12));
        assertArrayEquals(new int[]{10, 11, 12}, t.relationIds());
        assertTrue(t.cascade());
        assertTrue(t.restartIdentity());
        Truncate plain = (Truncate) decode(Frame.truncate(null, 0, 10));
        assertFalse(plain.cascade());
        assertFalse(plain.restartIdentity());
        Truncate restart = (Truncate) decode(Frame.truncate(null, 2, 10));
        assertFalse(restart.cascade());
        assertTrue(restart.restartIdentity());
    }

    @Test
    void logicalDecodingMessage() {
        byte[] content = "payload\0bytes".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = Frame.of('M').u8(1).i64(0x55).cstring("ampere").i32(content.length).bytes(content).toBytes();
        Message m = (Message) decode(bytes);
        assertTrue(m.transactional());
        assertEquals(0x55, m.lsn());
        assertEquals("ampere", m.prefix());
        assertArrayEquals(content, m.content());
        Message streamed = (Message) decodeStreamed(
                Frame.of('M').i32(12).u8(0).i64(1).cstring("p").i32(0).toBytes());
        assertEquals(12, streamed.xid());
        assertFalse(streamed.transactional());
    }

    @Test
    void streamMessages() {
        assertEquals(new StreamStart(700, true), decode(Frame.streamStart(700, true)));
        assertEquals(new StreamStart(700, false), decode(Frame.streamStart(700, false)));
        assertEquals(new StreamStop(), decode(Frame.streamStop()));
        assertEquals(new StreamCommit(700, 0, 0x500, 0x528, 99), decode(Frame.streamCommit(700, 0x500, 0x528, 99)));
        assertEquals(new StreamAbort(700, 701), decode(Frame.streamAbort(700, 701)));
    }

    @Test
    void streamedChangesCarryXid() {
        assertEquals(701, ((Insert) decodeStreamed(Frame.insert(701, 3, "a"))).xid());
        assertEquals(701, ((Update) decodeStreamed(Frame.update(701, 3, new Object[]{"a"}, "b"))).xid());
        assertEquals(701, ((Delete) decodeStreamed(Frame.delete(701, 3, "a"))).xid());
        assertEquals(701, ((Truncate) decodeStreamed(Frame.truncate(701, 0, 3))).xid());
        assertEquals(701, ((Type) decodeStreamed(Frame.of('Y').i32(701).i32(1).cstring("s").cstring("n").toBytes())).xid());
    }

    @Test
    void statefulDecoderTracksStreamBlocks() {
        PgOutputDecoder d = new PgOutputDecoder();
        assertEquals(0, ((Insert) d.decode(ByteBuffer.wrap(Frame.insert(null, 3, "a")))).xid());
        d.decode(ByteBuffer.wrap(Frame.streamStart(800, true)));
        assertTrue(d.inStreamBlock());
        assertEquals(801, ((Insert) d.decode(ByteBuffer.wrap(Frame.insert(801, 3, "a")))).xid());
        d.decode(ByteBuffer.wrap(Frame.streamStop()));
        assertFalse(d.inStreamBlock());
        assertEquals("a", ((Insert) d.decode(ByteBuffer.wrap(Frame.insert(null, 3, "a")))).newTuple().text(0));
    }

    @Test
    void relationIdsArePeekedWithoutMovingThePosition() {
        ByteBuffer ins = ByteBuffer.wrap(Frame.insert(9, 42, "a"));
        assertArrayEquals(new int[]{42}, PgOutputDecoder.relationIds(ins, true));
        assertEquals(0, ins.position());
        assertArrayEquals(new int[]{42}, PgOutputDecoder.relationIds(ByteBuffer.wrap(Frame.update(null, 42, null, "a")), false));
        assertArrayEquals(new int[]{42}, PgOutputDecoder.relationIds(ByteBuffer.wrap(Frame.delete(3, 42, "a")), true));
        assertArrayEquals(new int[]{5, 6}, PgOutputDecoder.relationIds(ByteBuffer.wrap(Frame.truncate(3, 1, 5, 6)), true));
        assertArrayEquals(new int[]{5, 6}, PgOutputDecoder.relationIds(ByteBuffer.wrap(Frame.truncate(null, 1, 5, 6)), false));
        assertNull(PgOutputDecoder.relationIds(ByteBuffer.wrap(Frame.begin(1, 2, 3)), false));
    }

    @Test
    void malformedPayloadsAreRejected() {
        assertThrows(PgOutputDecodeException.class, () -> decode(new byte[]{'Z'}));
        assertThrows(PgOutputDecodeException.class, () -> decode(new byte[]{'B', 0, 0}));
        assertThrows(PgOutputDecodeException.class, () -> decode(Frame.of('O').i64(1).u8('a').toBytes()));
        assertThrows(PgOutputDecodeException.class, () -> decode(Frame.of('I').i32(1).u8('N').i16(1).u8('t').i32(50).u8('x').toBytes()));
        assertThrows(PgOutputDecodeException.class, () -> decode(Frame.of('I').i32(1).u8('N').i16(1).u8('q').toBytes()));
        assertThrows(PgOutputDecodeException.class, () -> decode(Frame.of('I').i32(1).u8('X').i16(0).toBytes()));
    }
}
