package dev.ampere.shapecache.storage;

/**
 * Shape storage cannot take this write now: no space left on device, or the file system failed the write. Nothing
 * of the write is visible to readers; the writer keeps what it could not store and tries again once
 * {@link StorageSpace} says the storage takes writes again. Not a corruption: the stored data stays valid.
 */
public final class StorageFaultException extends RuntimeException {
    public StorageFaultException(String reason, Throwable cause) {
        super(reason, cause, false, false);
    }
}
