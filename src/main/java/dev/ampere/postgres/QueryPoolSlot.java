package dev.ampere.postgres;

import javax.sql.DataSource;
import java.util.Optional;

/**
 * The owner's side of {@link QueryPoolView}: the one place the current pool is kept.
 *
 * <p>Thread-safe. Written only by the ConnectionManager, which opens and closes the pool; read by anyone holding
 * the view.
 */
public final class QueryPoolSlot implements QueryPoolView {
    private volatile DataSource pool;

    @Override
    public Optional<DataSource> current() {
        return Optional.ofNullable(pool);
    }

    /** Owner only. */
    public void publish(DataSource newPool) {
        pool = newPool;
    }

    /** Owner only. */
    public void clear() {
        pool = null;
    }
}
