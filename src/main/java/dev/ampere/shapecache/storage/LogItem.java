package dev.ampere.shapecache.storage;

import dev.ampere.changes.LogOffset;
import java.util.Objects;

/**
 * One entry of a shape's main log as the consumer hands it to storage: its offset, the row key, the operation and
 * the already-encoded JSON message (docs/protocol.md §1.11). The JSON is stored and later served byte for byte.
 *
 * <p>Immutable by contract: the caller must not modify {@code json} after handing it over.
 */
public record LogItem(LogOffset offset, String key, Operation operation, byte[] json) {
    public LogItem {
        Objects.requireNonNull(offset, "offset");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(json, "json");
        if (!offset.isAfter(LogOffset.LAST_BEFORE_REAL_OFFSETS) || offset.op() == LogOffset.INF) {
            throw new IllegalArgumentException("not a main-log offset: " + offset);
        }
    }
}
