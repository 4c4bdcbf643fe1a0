package dev.ampere.http;

import dev.ampere.shapecache.storage.ShapeStorage;
import dev.ampere.shapecache.storage.StorageFaultException;
import dev.ampere.shapecache.storage.StoredCopy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;

/**
 * The gzip copies of immutable chunk bodies (docs/protocol.md §1.16): a closed snapshot chunk, or a log chunk from
 * one boundary to the next. Such a body never changes, so it is compressed once, by the first request that accepts
 * gzip, into a {@link StoredCopy} kept with the shape's files and removed with them; every later request (after a
 * restart too) is served the stored bytes. Requests racing for the same copy wait for the one that makes it.
 *
 * <p>Owns the set of copies being made; reports each copy made to {@link HttpMetrics#compressedCopyMade}.
 * Thread-safe: request threads call {@link #get} concurrently.
 */
final class CompressedChunks {
    private static final Logger log = LoggerFactory.getLogger(CompressedChunks.class);

    /** Writes a chunk's whole identity body. */
    @FunctionalInterface
    interface BodyWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    private final ConcurrentMap<String, CompletableFuture<Optional<StoredCopy>>> making = new ConcurrentHashMap<>();
    private final HttpMetrics metrics;

    CompressedChunks(HttpMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * The stored gzip copy {@code name} of the shape's chunk, made from {@code body} if there is none yet; empty when
     * it cannot be stored now (the volume is full, say): the request is then served as if there were no copy.
     */
    Optional<StoredCopy> get(ShapeStorage storage, String name, BodyWriter body) throws IOException {
        Optional<StoredCopy> stored = storage.storedCopy(name);
        if (stored.isPresent()) return stored;
        String key = storage.handle() + "/" + name;
        CompletableFuture<Optional<StoredCopy>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<StoredCopy>> other = making.putIfAbsent(key, mine);
        if (other != null) {
            try {
                return other.get();
            } catch (ExecutionException e) {
                return Optional.empty(); // the maker failed: this request goes without a copy
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while a compressed copy was made", e);
            }
        }
        try {
            // Another maker may have finished between the first look and the claim: it renamed its file first.
            Optional<StoredCopy> copy = storage.storedCopy(name);
            if (copy.isEmpty()) {
                copy = storage.writeCopy(name, out -> {
                    try (OutputStream gz = Gzip.compressing(new Unclosed(out))) {
                        body.writeTo(gz);
                    }
                });
                if (copy.isPresent()) metrics.compressedCopyMade(name.startsWith("snapshot-") ? "snapshot" : "log");
            }
            mine.complete(copy);
            return copy;
        } catch (StorageFaultException e) {
            log.debug("no compressed copy of {} for {}: {}", name, storage.handle(), e.getMessage());
            mine.complete(Optional.empty());
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            making.remove(key, mine);
        }
    }

    /** The name of snapshot chunk {@code k}'s copy. */
    static String snapshotChunk(int k) {
        return "snapshot-" + k + ".gz";
    }

    /** The name of the copy of the log chunk {@code (from, to]}. */
    static String logChunk(String from, String to) {
        return "log-" + from + "-" + to + ".gz";
    }

    /** Lets the gzip stream finish without closing the storage's file stream, which storage closes itself. */
    private static final class Unclosed extends java.io.FilterOutputStream {
        Unclosed(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
