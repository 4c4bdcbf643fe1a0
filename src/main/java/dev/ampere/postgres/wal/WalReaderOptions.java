package dev.ampere.postgres.wal;

import dev.ampere.changes.Lsn;
import dev.ampere.postgres.wal.TransactionAssembler;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a {@link WalReader} streams and how.
 *
 * @param slot               the logical replication slot (pgoutput), already created
 * @param publication        the publication name(s), comma-separated as pgoutput's {@code publication_names} takes
 * @param protoVersion       1, or 2 which also turns on {@code streaming} (large transactions arrive before commit)
 * @param startLsn           where to start; {@link Lsn#ZERO} means the slot's confirmed position
 * @param statusInterval     how often a standby status update is sent even when nothing new is durable; keep it
 *                           well under the server's {@code wal_sender_timeout} (60 s by default)
 * @param fragmentSize       the most changes in one {@code TransactionFragment}
 * @param spillDirectory     where protocol-2 streamed transactions are spilled
 * @param messages           stream {@code pg_logical_emit_message} messages too ({@link ChangeSink#onMessage})
 *
 * <p>Immutable.
 */
public record WalReaderOptions(String slot, String publication, int protoVersion, Lsn startLsn,
                               Duration statusInterval, int fragmentSize, Path spillDirectory,
                               boolean messages) {
    public WalReaderOptions {
        if (protoVersion != 1 && protoVersion != 2) {
            throw new IllegalArgumentException("proto_version must be 1 or 2, got " + protoVersion);
        }
    }

    /** Protocol 1 from the slot's position, status every 10 s, default fragment size, spills under java.io.tmpdir. */
    public static WalReaderOptions of(String slot, String publication) {
        return new WalReaderOptions(slot, publication, 1, Lsn.ZERO, Duration.ofSeconds(10),
                TransactionAssembler.DEFAULT_FRAGMENT_SIZE,
                Path.of(System.getProperty("java.io.tmpdir"), "ampere-spill"), false);
    }

    public WalReaderOptions withProtoVersion(int version) {
        return new WalReaderOptions(slot, publication, version, startLsn, statusInterval, fragmentSize, spillDirectory, messages);
    }

    public WalReaderOptions withStartLsn(Lsn lsn) {
        return new WalReaderOptions(slot, publication, protoVersion, lsn, statusInterval, fragmentSize, spillDirectory, messages);
    }

    public WalReaderOptions withStatusInterval(Duration interval) {
        return new WalReaderOptions(slot, publication, protoVersion, startLsn, interval, fragmentSize, spillDirectory, messages);
    }

    public WalReaderOptions withFragmentSize(int size) {
        return new WalReaderOptions(slot, publication, protoVersion, startLsn, statusInterval, size, spillDirectory, messages);
    }

    public WalReaderOptions withSpillDirectory(Path dir) {
        return new WalReaderOptions(slot, publication, protoVersion, startLsn, statusInterval, fragmentSize, dir, messages);
    }

    public WalReaderOptions withMessages(boolean on) {
        return new WalReaderOptions(slot, publication, protoVersion, startLsn, statusInterval, fragmentSize, spillDirectory, on);
    }
}
