package dev.ampere.process;

import java.util.concurrent.CompletableFuture;

/**
 * A request sent by {@link ProcessRef#call}: the receiving process handles {@link #request()} and answers with
 * {@link #reply} or {@link #fail}. A call left unanswered fails for the caller when the process exits or the
 * caller's timeout passes, whichever comes first.
 *
 * <p>Thread-safe: the reply may come from any thread, once; later replies are ignored.
 */
public final class Call {
    private final Object request;
    private final CompletableFuture<Object> reply;

    Call(Object request, CompletableFuture<Object> reply) {
        this.request = request;
        this.reply = reply;
    }

    public Object request() {
        return request;
    }

    public void reply(Object value) {
        reply.complete(value);
    }

    public void fail(Throwable error) {
        reply.completeExceptionally(error);
    }

    /** True once the call has an answer (or its caller gave up), so a late reply would be lost. */
    public boolean isDone() {
        return reply.isDone();
    }

    @Override
    public String toString() {
        return "Call[" + request + "]";
    }
}
