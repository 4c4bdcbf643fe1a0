package dev.ampere.postgres.wal;
import dev.ampere.changes.Relation;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The raw pgoutput messages of one in-progress streamed transaction (protocol 2), kept in a temporary file so that
 * memory does not grow with the transaction. Each record is {@code [streamed flag][length][payload]}; the Relation
 * messages a change depends on are written before it, so a replay is self-contained. Subtransactions aborted
 * before commit are remembered and skipped on replay.
 *
 * <p>Owned by the assembler on the replication thread; not thread-safe. {@link #discard()} deletes the file.
 */
final class SpilledTransaction implements AutoCloseable {
    /** One spilled message as read back. */
    interface Visitor {
        void message(ByteBuffer payload, boolean streamed);
    }

    private final long xid;
    private final Path file;
    private final DataOutputStream out;
    private final Set<Long> abortedSubXids = new HashSet<>();
    private final Map<byte[], Boolean> relationsWritten = new IdentityHashMap<>();
    private long messages;

    SpilledTransaction(long xid, Path directory) {
        this.xid = xid;
        try {
            Files.createDirectories(directory);
            this.file = Files.createTempFile(directory, "xid-" + xid + "-", ".spill");
            this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a spill file for streamed transaction " + xid, e);
        }
    }

    long xid() {
        return xid;
    }

    Path file() {
        return file;
    }

    long messages() {
        return messages;
    }

    /**
     * Writes the Relation message bytes unless this exact version (same array) is already in the file. Relation
     * payloads are kept by the assembler as immutable arrays, so identity means "same version".
     */
    void ensureRelation(byte[] relationPayload, boolean streamed) {
        if (relationsWritten.put(relationPayload, Boolean.TRUE) == null) {
            append(relationPayload, 0, relationPayload.length, streamed);
        }
    }

    void append(byte[] payload, int offset, int length, boolean streamed) {
        try {
            out.writeBoolean(streamed);
            out.writeInt(length);
            out.write(payload, offset, length);
            messages++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write spill file " + file, e);
        }
    }

    void abortSubtransaction(long subXid) {
        abortedSubXids.add(subXid);
    }

    boolean isAborted(long subXid) {
        return abortedSubXids.contains(subXid);
    }

    /** Reads every record back in order. The buffer passed to the visitor is reused between records. */
    void replay(Visitor visitor) {
        try {
            out.flush();
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 64 * 1024))) {
                byte[] buf = new byte[8192];
                while (true) {
                    boolean streamed;
                    try {
                        streamed = in.readBoolean();
                    } catch (EOFException end) {
                        return;
                    }
                    int len = in.readInt();
                    if (len > buf.length) buf = new byte[Math.max(len, buf.length * 2)];
                    in.readFully(buf, 0, len);
                    visitor.message(ByteBuffer.wrap(buf, 0, len), streamed);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spill file " + file, e);
        }
    }

    /** Closes and deletes the file. */
    void discard() {
        try {
            out.close();
        } catch (IOException ignored) {
            // The file is deleted next; a close failure loses nothing we still need.
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete spill file " + file, e);
        }
    }

    @Override
    public void close() {
        discard();
    }
}
