package dev.ampere.where.index;

import java.util.List;
import java.util.function.Consumer;

import dev.ampere.where.IndexPlan;

/**
 * The LIKE shapes of one text column (raw or case-folded) inside a {@link TableFilter}: each shape is keyed by one
 * n-gram of one of its pattern's literal runs ({@link IndexPlan.Fragments}), so a changed value costs one hash
 * lookup per position and gram length in use, however many shapes there are. Runs of up to {@link #GRAM} code
 * points are keyed whole (a map per length); a longer run by the {@code GRAM}-gram of its runs whose bucket is the
 * smallest when the shape arrives, which spreads shapes sharing common grams over rarer ones. A gram found in the
 * value at position {@code i} is a candidate only if the whole run sits in the value around it (compared code point
 * by code point); the caller then runs the full predicate.
 *
 * <p>Values are read as code points, each folded with {@link IndexPlan#fold} in a folded index: the mapping
 * ILIKE compares with, so a run matches here exactly when it matches there.
 *
 * <p>Not thread-safe; confined to the filter index's owner thread.
 *
 * @param <E> what a candidate hands back (the shape's registration)
 */
final class FragmentIndex<E> {
    /** The longest gram used as a key. */
    static final int GRAM = 3;
    private static final int SCRATCH_KEPT = 1 << 16;

    /** A shape's place in the index; exactly one bucket holds it. */
    static final class Entry<E> {
        final E payload;
        final int[] run;
        final int offset;
        final int length;
        final long key;
        int slot;

        Entry(E payload, int[] run, int offset, int length, long key) {
            this.payload = payload;
            this.run = run;
            this.offset = offset;
            this.length = length;
            this.key = key;
        }
    }

    private static final class Bucket {
        Entry<?>[] entries = new Entry<?>[2];
        int size;
    }

    private final boolean folded;
    @SuppressWarnings("unchecked")
    private final LongMap<Bucket>[] byLength = new LongMap[GRAM + 1];
    private int size;
    private int[] scratch = new int[64];

    FragmentIndex(boolean folded) {
        for (int n = 1; n <= GRAM; n++) byLength[n] = new LongMap<>();
        this.folded = folded;
    }

    /** Indexes {@code payload} under one gram of {@code runs} (non-empty strings, already folded if need be). */
    Entry<E> add(E payload, List<String> runs) {
        int[][] cps = new int[runs.size()][];
        int n = 1;
        for (int r = 0; r < cps.length; r++) {
            cps[r] = runs.get(r).codePoints().toArray();
            n = Math.max(n, Math.min(cps[r].length, GRAM));
        }
        LongMap<Bucket> map = byLength[n];
        int bestRun = -1, bestOffset = -1, bestCount = Integer.MAX_VALUE;
        long bestKey = 0;
        for (int r = 0; r < cps.length && bestCount > 0; r++) {
            for (int at = 0; at + n <= cps[r].length; at++) {
                long key = gram(cps[r], at, n);
                Bucket b = map.get(key);
                int count = b == null ? 0 : b.size;
                if (count < bestCount) {
                    bestRun = r;
                    bestOffset = at;
                    bestCount = count;
                    bestKey = key;
                    if (count == 0) break;
                }
            }
        }
        Entry<E> e = new Entry<>(payload, cps[bestRun], bestOffset, n, bestKey);
        Bucket b = map.get(bestKey);
        if (b == null) {
            b = new Bucket();
            map.put(bestKey, b);
        }
        if (b.size == b.entries.length) b.entries = java.util.Arrays.copyOf(b.entries, b.size * 2);
        e.slot = b.size;
        b.entries[b.size++] = e;
        size++;
        return e;
    }

    /** Removes an entry {@link #add} returned; true when the index became empty. */
    boolean remove(Entry<E> e) {
        LongMap<Bucket> map = byLength[e.length];
        Bucket b = map.get(e.key);
        if (b == null || e.slot >= b.size || b.entries[e.slot] != e) throw new IllegalStateException("not indexed");
        Entry<?> last = b.entries[--b.size];
        b.entries[e.slot] = last;
        last.slot = e.slot;
        b.entries[b.size] = null;
        if (b.size == 0) {
            map.remove(e.key);
        } else if (b.size * 4 < b.entries.length && b.entries.length > 2) {
            b.entries = java.util.Arrays.copyOf(b.entries, b.entries.length / 2);
        }
        size--;
        return size == 0;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /**
     * Hands each shape one of whose runs occurs in {@code value} to {@code candidate}, possibly more than once
     * (once per occurrence); a shape none of whose indexed run occurs is never handed over.
     */
    @SuppressWarnings("unchecked")
    void collect(String value, Consumer<E> candidate) {
        int len = decode(value);
        int[] cps = scratch;
        for (int n = 1; n <= GRAM; n++) {
            LongMap<Bucket> map = byLength[n];
            if (map.size() == 0) continue;
            for (int i = 0; i + n <= len; i++) {
                Bucket b = map.get(gram(cps, i, n));
                if (b == null) continue;
                for (int k = 0; k < b.size; k++) {
                    Entry<E> e = (Entry<E>) b.entries[k];
                    int start = i - e.offset;
                    if (start >= 0 && start + e.run.length <= len && occursAt(cps, start, e.run)) candidate.accept(e.payload);
                }
            }
        }
        if (scratch.length > SCRATCH_KEPT) scratch = new int[64];
    }

    /** The value's code points (folded if this index is) into {@link #scratch}; their count. */
    private int decode(String value) {
        if (scratch.length < value.length()) scratch = new int[Math.max(value.length(), scratch.length * 2)];
        int[] out = scratch;
        int n = 0;
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            i += Character.charCount(c);
            out[n++] = folded ? IndexPlan.fold(c) : c;
        }
        return n;
    }

    private static boolean occursAt(int[] cps, int start, int[] run) {
        for (int j = 0; j < run.length; j++) if (cps[start + j] != run[j]) return false;
        return true;
    }

    /**
     * The key of the {@code n} code points at {@code at}: exact for up to three (21 bits each), a mix beyond, where
     * a collision only adds a candidate that {@link #occursAt} then rejects.
     */
    static long gram(int[] cps, int at, int n) {
        long k = 0;
        if (n <= 3) {
            for (int j = 0; j < n; j++) k = (k << 21) | cps[at + j];
        } else {
            for (int j = 0; j < n; j++) k = (k ^ cps[at + j]) * 0x100000001B3L;
        }
        return k;
    }
}
