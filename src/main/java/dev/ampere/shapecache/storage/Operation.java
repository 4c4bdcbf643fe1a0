package dev.ampere.shapecache.storage;

/**
 * The kind of a stored log item. Stored as one byte next to the item so that later compaction (which keeps only
 * the newest state per key) can work without parsing the JSON.
 *
 * <p>Immutable.
 */
public enum Operation {
    INSERT((byte) 'i'),
    UPDATE((byte) 'u'),
    DELETE((byte) 'd'),
    /** A control or event message stored in the log (move-in/move-out, snapshot-end after a move-in, ...). */
    CONTROL((byte) 'c');

    private final byte code;

    Operation(byte code) {
        this.code = code;
    }

    byte code() {
        return code;
    }

    static Operation fromCode(byte code) {
        return switch (code) {
            case 'i' -> INSERT;
            case 'u' -> UPDATE;
            case 'd' -> DELETE;
            case 'c' -> CONTROL;
            default -> throw new StorageCorruptException("unknown operation code " + code);
        };
    }
}
