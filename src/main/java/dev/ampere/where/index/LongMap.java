package dev.ampere.where.index;

/**
 * A hash map from {@code long} keys to objects, open addressing with linear probing and backward-shift deletion,
 * growing at half full and shrinking when it falls below an eighth, so removal leaves no tombstones behind. The
 * n-gram index looks up one key per position of a changed value; a {@code HashMap<Long, V>} would box each of
 * them, and a primitive-collections library would be a large dependency for this one map.
 *
 * <p>Not thread-safe; confined to the filter index's owner thread.
 */
final class LongMap<V> {
    private static final int MIN_CAPACITY = 8;
    private long[] keys = new long[MIN_CAPACITY];
    private Object[] values = new Object[MIN_CAPACITY];
    private int size;

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) return null;
            if (keys[i] == key) return (V) v;
        }
    }

    /** Calls {@code action} with every value. */
    @SuppressWarnings("unchecked")
    void forEachValue(java.util.function.Consumer<V> action) {
        for (Object v : values) if (v != null) action.accept((V) v);
    }

    /** Maps {@code key} to {@code value} (not null), replacing any earlier value. */
    void put(long key, V value) {
        if (value == null) throw new IllegalArgumentException("null value");
        int mask = keys.length - 1;
        int i = slot(key, mask);
        for (; values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
        }
        keys[i] = key;
        values[i] = value;
        if (++size * 2 > keys.length) resize(keys.length * 2);
    }

    void remove(long key) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (true) {
            if (values[i] == null) return;
            if (keys[i] == key) break;
            i = (i + 1) & mask;
        }
        // Backward shift: move later entries of the probe run into the gap when their home slot allows it.
        int gap = i;
        for (int j = (gap + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                keys[gap] = keys[j];
                values[gap] = values[j];
                gap = j;
            }
        }
        keys[gap] = 0;
        values[gap] = null;
        size--;
        if (keys.length > MIN_CAPACITY && size * 8 < keys.length) resize(keys.length / 2);
    }

    private void resize(int capacity) {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[capacity];
        values = new Object[capacity];
        int mask = capacity - 1;
        for (int k = 0; k < oldKeys.length; k++) {
            if (oldValues[k] == null) continue;
            int i = slot(oldKeys[k], mask);
            while (values[i] != null) i = (i + 1) & mask;
            keys[i] = oldKeys[k];
            values[i] = oldValues[k];
        }
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
