package dev.ampere.http;

/**
 * The outcome of validating request parameters: a value, or the errors for a 400 body.
 *
 * <p>Immutable once built.
 */
public sealed interface Validated<T> {
    record Ok<T>(T value) implements Validated<T> {}

    record Invalid<T>(RequestErrors errors) implements Validated<T> {}
}
