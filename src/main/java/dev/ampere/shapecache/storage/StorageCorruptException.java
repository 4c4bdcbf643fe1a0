package dev.ampere.shapecache.storage;

/**
 * Stored shape data that cannot be read back as written (bad magic, unknown version, truncated file, broken
 * record). The caller's remedy is always the same: delete the shape and let clients refetch it.
 */
public final class StorageCorruptException extends RuntimeException {
    public StorageCorruptException(String message) {
        super(message);
    }

    public StorageCorruptException(String message, Throwable cause) {
        super(message, cause);
    }
}
