package dev.ampere.postgres;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * How much WAL Postgres keeps for the stack's replication slot, asked through the query pool when someone wants to
 * know (a metrics scrape, the status page) and remembered for {@link #MAX_AGE_NANOS}, so frequent scrapes cost one
 * small query every few seconds. A failed or slow query (3 s timeout) leaves the figures unknown until the next
 * try; it never blocks the caller longer than that.
 *
 * <p>Thread-safe: callers serialise on this object while a query runs.
 */
public final class SlotLag {
    private static final Logger log = LoggerFactory.getLogger(SlotLag.class);
    static final long MAX_AGE_NANOS = 2_000_000_000L;
    private static final int QUERY_TIMEOUT_SECONDS = 3;
    private static final String QUERY = """
            SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::int8,
                   greatest(0, pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn))::int8
            FROM pg_replication_slots WHERE slot_name = ?""";

    /**
     * @param retainedBytes          WAL the slot holds back: {@code pg_current_wal_lsn() - restart_lsn}
     * @param confirmedFlushLagBytes WAL written after what the stack confirmed durable:
     *                               {@code pg_current_wal_lsn() - confirmed_flush_lsn}, at least 0
     */
    public record Figures(long retainedBytes, long confirmedFlushLagBytes) {}

    private final QueryPoolView pool;
    private final String slotName;
    private final LongSupplier nanoClock;
    private Optional<Figures> last = Optional.empty();
    private long lastAsked;
    private boolean asked;

    public SlotLag(QueryPoolView pool, String slotName) {
        this(pool, slotName, System::nanoTime);
    }

    SlotLag(QueryPoolView pool, String slotName, LongSupplier nanoClock) {
        this.pool = pool;
        this.slotName = slotName;
        this.nanoClock = nanoClock;
    }

    /** The figures at most a few seconds old; empty when there is no pool, no slot yet, or the query failed. */
    public synchronized Optional<Figures> current() {
        long now = nanoClock.getAsLong();
        if (asked && now - lastAsked < MAX_AGE_NANOS) return last;
        asked = true;
        lastAsked = now;
        last = query();
        return last;
    }

    private Optional<Figures> query() {
        Optional<DataSource> ds = pool.current();
        if (ds.isEmpty()) return Optional.empty();
        try (Connection c = ds.get().getConnection(); PreparedStatement s = c.prepareStatement(QUERY)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setString(1, slotName);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                long retained = rs.getLong(1);
                if (rs.wasNull()) return Optional.empty();
                return Optional.of(new Figures(retained, rs.getLong(2)));
            }
        } catch (Exception e) {
            log.debug("reading the replication slot's WAL figures failed: {}", e.getMessage());
            return Optional.empty();
        }
    }
}
