package dev.ampere.bench.replication;

import dev.ampere.postgres.pgoutput.PgOutputDecoder;
import dev.ampere.postgres.pgoutput.PgOutputMessage;
import dev.ampere.postgres.wal.ChangeSink;
import dev.ampere.postgres.wal.KeyColumnLookup;
import dev.ampere.changes.Relation;
import dev.ampere.postgres.wal.TransactionAssembler;
import dev.ampere.changes.TransactionFragment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * pgoutput decoding rate (messages/s) for a typical 6-column row: Insert, Update with the whole old row
 * (REPLICA IDENTITY FULL), and decode + assembly into {@code Change}s for a 50-row transaction (per message).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-preview")
public class PgOutputDecodeBenchmark {
    private static final int REL = 16384;
    private static final String[] ROW = {"123456", "Some title of an item", "2024-03-04 05:06:07.123456+00",
        "12345.67", "t", "{\"kind\": \"widget\", \"size\": 3}"};
    private static final String[] NEW_ROW = {"123456", "Another title", "2024-03-04 05:06:07.123456+00",
        "12345.67", "f", "{\"kind\": \"widget\", \"size\": 3}"};

    private byte[] insert;
    private byte[] update;
    private byte[][] transaction;
    private TransactionAssembler assembler;
    private Path spill;
    private long changes;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        insert = frame('I').i32(REL).u8('N').tuple(ROW).bytes();
        update = frame('U').i32(REL).u8('O').tuple(ROW).u8('N').tuple(NEW_ROW).bytes();
        transaction = new byte[52][];
        transaction[0] = frame('B').i64(0x1000).i64(1).i32(7).bytes();
        for (int i = 1; i <= 50; i++) transaction[i] = insert;
        transaction[51] = frame('C').u8(0).i64(0x1000).i64(0x1010).i64(1).bytes();
        spill = Files.createTempDirectory("bench-spill");
        ChangeSink sink = new ChangeSink() {
            @Override
            public void onRelation(Relation relation) {}

            @Override
            public void onFragment(TransactionFragment fragment) {
                changes += fragment.changes().size();
            }
        };
        KeyColumnLookup keys = r -> List.of("id");
        assembler = new TransactionAssembler(keys, sink, TransactionAssembler.DEFAULT_FRAGMENT_SIZE, spill);
        Frame rel = frame('R').i32(REL).cstring("public").cstring("items").u8('f').i16(6);
        String[] names = {"id", "title", "created_at", "price", "active", "meta"};
        int[] oids = {23, 25, 1184, 1700, 16, 3802};
        for (int i = 0; i < 6; i++) rel.u8(1).cstring(names[i]).i32(oids[i]).i32(-1);
        assembler.accept(ByteBuffer.wrap(rel.bytes()));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        assembler.close();
        Files.deleteIfExists(spill);
    }

    @Benchmark
    public PgOutputMessage decodeInsert() {
        return PgOutputDecoder.decode(ByteBuffer.wrap(insert), false);
    }

    @Benchmark
    public PgOutputMessage decodeUpdateWithOldRow() {
        return PgOutputDecoder.decode(ByteBuffer.wrap(update), false);
    }

    /** Decode, convert (keys, rows) and fragment one 50-row transaction; reported per message. */
    @Benchmark
    @OperationsPerInvocation(52)
    public void assemble50RowTransaction(Blackhole bh) {
        for (byte[] m : transaction) assembler.accept(ByteBuffer.wrap(m));
        bh.consume(changes);
    }

    private static Frame frame(char tag) {
        return new Frame().u8(tag);
    }

    /** A minimal big-endian frame writer. */
    private static final class Frame {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Frame u8(int v) {
            out.write(v);
            return this;
        }

        Frame i16(int v) {
            return u8(v >>> 8).u8(v);
        }

        Frame i32(int v) {
            return i16(v >>> 16).i16(v);
        }

        Frame i64(long v) {
            return i32((int) (v >>> 32)).i32((int) v);
        }

        Frame cstring(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            return u8(0);
        }

        Frame tuple(String[] values) {
            i16(values.length);
            for (String v : values) {
                byte[] b = v.getBytes(StandardCharsets.UTF_8);
                u8('t').i32(b.length);
                out.writeBytes(b);
            }
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
