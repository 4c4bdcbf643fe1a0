package dev.ampere.shapecache;

import dev.ampere.changes.LogOffset;

/** Published under a shape's handle to the requests waiting on it (the stack's shape subscriptions). */
public sealed interface ShapeEvent {
    /** The shape's log grew up to {@code latest}. */
    record NewChanges(LogOffset latest) implements ShapeEvent {}

    /** The shape is gone (deleted, truncated, schema change): waiting requests answer 409. */
    record Rotated() implements ShapeEvent {}
}
