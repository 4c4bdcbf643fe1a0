package dev.ampere.http;

/**
 * What the HTTP side reports for the stack's metrics: each finished request by route and status, requests turned
 * away by admission control, and the compressed copies of chunks made.
 *
 * <p>Implementations are thread-safe.
 */
public interface HttpMetrics {
    HttpMetrics NONE = new HttpMetrics() {};

    /** A request finished; {@code route} is one of a small fixed set (see {@link HttpServer}). */
    default void requestDone(String route, String method, int status) {}

    /** A request was refused by admission control; {@code kind} names the limit ({@code initial}, {@code existing}). */
    default void admissionRejected(String kind) {}

    /** A gzip copy of an immutable chunk was made and stored; {@code kind} is {@code snapshot} or {@code log}. */
    default void compressedCopyMade(String kind) {}
}
