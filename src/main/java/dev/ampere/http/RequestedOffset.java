package dev.ampere.http;

import dev.ampere.changes.LogOffset;

/**
 * The {@code offset} a shape request asks for (docs/protocol.md §1.6): a log position (including {@code -1}), or the
 * {@code now} mode, which answers at once with only an up-to-date message.
 *
 * <p>Immutable.
 */
public sealed interface RequestedOffset {
    /** {@code now}. */
    RequestedOffset NOW = new Now();

    /** True for {@code -1} (also written {@code -1_0}, as Electric accepts). */
    boolean isBeforeAll();

    /** The request-offset part of the ETag and the wire form: {@code -1}, {@code <tx>_<op>} or {@code now}. */
    String wireForm();

    /** A position in the shape log. */
    record At(LogOffset offset) implements RequestedOffset {
        @Override
        public boolean isBeforeAll() {
            return offset.isBeforeAll();
        }

        @Override
        public String wireForm() {
            return offset.toString();
        }
    }

    /** The {@code now} mode. */
    record Now() implements RequestedOffset {
        @Override
        public boolean isBeforeAll() {
            return false;
        }

        @Override
        public String wireForm() {
            return "now";
        }
    }

    static RequestedOffset at(LogOffset offset) {
        return new At(offset);
    }
}
