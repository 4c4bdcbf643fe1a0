package dev.ampere.replication;

import java.util.Arrays;

/**
 * A growable list of packed matches ({@code ConsumerMessages.match}) for one shape within one fragment.
 *
 * <p>Not thread-safe: filled on the collector's thread, then frozen into an array for the consumer.
 */
final class MatchList {
    private int[] items = new int[4];
    private int size;

    void add(int match) {
        if (size == items.length) items = Arrays.copyOf(items, size * 2);
        items[size++] = match;
    }

    int[] toArray() {
        return Arrays.copyOf(items, size);
    }
}
