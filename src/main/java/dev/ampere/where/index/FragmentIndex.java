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
 * value at position {@code i} is a candidate only if the whole run sits in the value around it: a bucket keeps each
 * entry's run length, gram offset and a polynomial hash of the run side by side, compared against the value's
 * prefix hashes without touching the entry, and a hash that agrees is confirmed code point by code point; the
 * caller then runs the full predicate.
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
    static final int GRAM = 4;
    private static final long P = 0x9E3779B97F4A7C15L;
    private static final int SCRATCH_KEPT = 1 << 16;
    /**
     * Longer values (in UTF-16 units) are not decoded: every shape of the index becomes a candidate, as if it were
     * not indexed, so that one huge value costs predicate evaluations (each bounded by its budget) rather than a
     * working copy of 12 bytes per character.
     */
    static final int LONGEST_DECODED = 1 << 20;

    /** A shape's place in the index; exactly one bucket holds it. */
    static final class Entry<E> {
        final E payload;
        final int[] run;
        final int offset;
        final int gram;
        final long key;
        int slot;

        Entry(E payload, int[] run, int offset, int gram, long key) {
            this.payload = payload;
            this.run = run;
            this.offset = offset;
            this.gram = gram;
            this.key = key;
        }
    }

    /** Parallel arrays: the run check reads only {@code offsets}, {@code lengths} and {@code hashes}. */
    private static final class Bucket {
        Entry<?>[] entries = new Entry<?>[2];
        int[] offsets = new int[2];
        int[] lengths = new int[2];
        long[] hashes = new long[2];
        int size;

        void add(Entry<?> e, long runHash) {
            if (size == entries.length) resize(size * 2);
            e.slot = size;
            entries[size] = e;
            offsets[size] = e.offset;
            lengths[size] = e.run.length;
            hashes[size] = runHash;
            size++;
        }

        void remove(int slot) {
            int last = --size;
            entries[slot] = entries[last];
            offsets[slot] = offsets[last];
            lengths[slot] = lengths[last];
            hashes[slot] = hashes[last];
            entries[slot].slot = slot;
            entries[last] = null;
            if (size * 4 < entries.length && entries.length > 2) resize(entries.length / 2);
        }

        private void resize(int capacity) {
            entries = java.util.Arrays.copyOf(entries, capacity);
            offsets = java.util.Arrays.copyOf(offsets, capacity);
            lengths = java.util.Arrays.copyOf(lengths, capacity);
            hashes = java.util.Arrays.copyOf(hashes, capacity);
        }
    }

    private final boolean folded;
    @SuppressWarnings("unchecked")
    private final LongMap<Bucket>[] byLength = new LongMap[GRAM + 1];
    private int size;
    private int[] scratch = new int[64];
    private long[] prefix = new long[65];
    private long[] powers = powers(64);

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
        long[][] hashes = new long[cps.length][];
        for (int r = 0; r < cps.length; r++) {
            hashes[r] = new long[cps[r].length + 1];
            prefixHashes(cps[r], cps[r].length, hashes[r]);
        }
        ensurePowers(n);
        for (int r = 0; r < cps.length && bestCount > 0; r++) {
            for (int at = 0; at + n <= cps[r].length; at++) {
                long key = span(hashes[r], at, at + n);
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
        b.add(e, hashes[bestRun][cps[bestRun].length]);
        size++;
        return e;
    }

    /** Removes an entry {@link #add} returned; true when the index became empty. */
    boolean remove(Entry<E> e) {
        LongMap<Bucket> map = byLength[e.gram];
        Bucket b = map.get(e.key);
        if (b == null || e.slot >= b.size || b.entries[e.slot] != e) throw new IllegalStateException("not indexed");
        b.remove(e.slot);
        if (b.size == 0) map.remove(e.key);
        size--;
        return size == 0;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /**
     * Hands each shape one of whose runs occurs in {@code value} to {@code candidate}, possibly more than once
     * (once per occurrence); a shape none of whose indexed run occurs is never handed over, except that a value
     * longer than {@link #LONGEST_DECODED} hands over every shape.
     */
    @SuppressWarnings("unchecked")
    void collect(String value, Consumer<E> candidate) {
        if (value.length() > LONGEST_DECODED) {
            for (int n = 1; n <= GRAM; n++) {
                byLength[n].forEachValue(b -> {
                    for (int k = 0; k < b.size; k++) candidate.accept((E) b.entries[k].payload);
                });
            }
            return;
        }
        int len = decode(value);
        int[] cps = scratch;
        if (prefix.length < len + 1) prefix = new long[Math.max(len + 1, prefix.length * 2)];
        long[] h = prefix;
        prefixHashes(cps, len, h);
        ensurePowers(len);
        long[] pow = powers;
        for (int n = 1; n <= GRAM; n++) {
            LongMap<Bucket> map = byLength[n];
            if (map.size() == 0) continue;
            long pn = pow[n];
            for (int i = 0; i + n <= len; i++) {
                Bucket b = map.get(h[i + n] - h[i] * pn);
                if (b == null) continue;
                int[] offsets = b.offsets, lengths = b.lengths;
                long[] hashes = b.hashes;
                for (int k = 0; k < b.size; k++) {
                    int start = i - offsets[k], end = start + lengths[k];
                    if (start < 0 || end > len || h[end] - h[start] * pow[end - start] != hashes[k]) continue;
                    Entry<E> e = (Entry<E>) b.entries[k];
                    if (occursAt(cps, start, e.run)) candidate.accept(e.payload);
                }
            }
        }
        if (scratch.length > SCRATCH_KEPT) {
            scratch = new int[64];
            prefix = new long[65];
        }
    }

    /** {@code out[k]}: the polynomial hash of the first {@code k} code points; {@code out} has {@code len + 1} places. */
    private static void prefixHashes(int[] cps, int len, long[] out) {
        long acc = 0;
        out[0] = 0;
        for (int k = 0; k < len; k++) {
            acc = acc * P + cps[k] + 1;
            out[k + 1] = acc;
        }
    }

    /** The hash of code points {@code from} (inclusive) to {@code to} (exclusive) from prefix hashes. */
    private long span(long[] prefix, int from, int to) {
        return prefix[to] - prefix[from] * powers[to - from];
    }

    /** Makes {@link #powers} hold at least {@code P^0 .. P^n}. */
    private void ensurePowers(int n) {
        if (powers.length <= n) powers = powers(Math.max(n, powers.length * 2));
    }

    private static long[] powers(int n) {
        long[] p = new long[n + 1];
        p[0] = 1;
        for (int k = 1; k <= n; k++) p[k] = p[k - 1] * P;
        return p;
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
}
