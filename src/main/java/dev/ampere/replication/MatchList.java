package dev.ampere.replication;

import dev.ampere.shapes.ConsumerMessages;

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

    /** The change position of the last match added, or -1. */
    int lastPosition() {
        return size == 0 ? -1 : ConsumerMessages.position(items[size - 1]);
    }

    int[] toArray() {
        return Arrays.copyOf(items, size);
    }
}
