package dev.ampere.shapes;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a subset reply wait until its shape's log holds every change its Postgres snapshot saw (docs/architecture.md,
 * "Subset visibility"). A client takes a subset's metadata as evidence that the transactions it covers have reached
 * it: TanStack DB completes a write once its txid is visible in any snapshot it was given. A subset whose rows leave
 * out a row that such a transaction changed (the row moved out of the subset's where clause) would complete the
 * write before the stream brought the change, and the client would show the old row.
 *
 * <p>The barrier is a position in the replication stream: once the subset's rows are read and its transaction has
 * ended, {@code pg_logical_emit_message(true, PREFIX, token)} commits a one-message transaction after every
 * transaction the snapshot saw (transactional, so that its commit flushes the WAL and the stream brings it at once;
 * a non-transactional message waits for some later flush). When the stream brings it, the log collector has
 * dispatched all of them; it passes the barrier to the shape's consumer, behind what it already sent, and the consumer
 * releases it once it has published everything before it. Then the reply is sent (it was held in memory meanwhile). Waits are bounded: without replication (or without the right to emit messages)
 * the reply goes out after the timeout, as it would have without the barrier.
 *
 * <p>Thread-safe: opened and awaited on request threads, released by the log collector or a consumer. Made once per
 * stack by {@code Ampere}; a token names this instance, so barriers of other instances on the same database are ignored.
 */
public final class VisibilityBarriers {
    /** The message prefix this stack's replication reader passes on. */
    public static final String PREFIX = "ampere.visibility";

    private final String instance = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentMap<Long, CountDownLatch> open = new ConcurrentHashMap<>();
    private final Duration timeout;
    private volatile boolean emitRefused;

    /** @param timeout the longest a reply waits for its barrier */
    public VisibilityBarriers(Duration timeout) {
        this.timeout = timeout;
    }

    /** A barrier token read back from the stream: which barrier, for which shape. */
    public record Marker(long id, String handle) {}

    /** What happened to a barrier. */
    public enum Outcome { PASSED, TIMED_OUT, NOT_EMITTED }

    /**
     * Emits a barrier for {@code handle} on {@code c} (in autocommit, after the snapshot's transaction) and waits for
     * it. A refusal by Postgres (the role may not write WAL messages) is remembered and later replies skip the barrier.
     */
    public Outcome pass(Connection c, String handle) throws SQLException, InterruptedException {
        if (emitRefused) return Outcome.NOT_EMITTED;
        long id = ids.incrementAndGet();
        CountDownLatch latch = new CountDownLatch(1);
        open.put(id, latch);
        try {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)")) {
                ps.setString(1, PREFIX);
                ps.setString(2, instance + ":" + id + ":" + handle);
                ps.execute();
            } catch (SQLException e) {
                if ("42501".equals(e.getSQLState())) { // insufficient_privilege
                    emitRefused = true;
                    return Outcome.NOT_EMITTED;
                }
                throw e;
            }
            return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS) ? Outcome.PASSED : Outcome.TIMED_OUT;
        } finally {
            open.remove(id);
        }
    }

    /** The barrier a stream message names, when it is one of this instance's. */
    public Optional<Marker> marker(String prefix, byte[] content) {
        if (!PREFIX.equals(prefix)) return Optional.empty();
        String token = new String(content, StandardCharsets.UTF_8);
        int first = token.indexOf(':');
        int second = first < 0 ? -1 : token.indexOf(':', first + 1);
        if (second < 0 || !token.substring(0, first).equals(instance)) return Optional.empty();
        try {
            return Optional.of(new Marker(Long.parseLong(token.substring(first + 1, second)), token.substring(second + 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Lets the reply waiting on barrier {@code id} go; nothing when it no longer waits. */
    public void release(long id) {
        CountDownLatch latch = open.get(id);
        if (latch != null) latch.countDown();
    }
}
