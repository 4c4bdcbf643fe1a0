package dev.ampere.postgres;

import javax.sql.DataSource;
import java.util.Optional;

/**
 * The stack's query pool (snapshots, catalog reads) as its users see it: present while the ConnectionManager has it
 * open. Users ask for it at each use and never keep it, because the manager closes and reopens it when the
 * connection tree restarts.
 *
 * <p>Thread-safe.
 */
public interface QueryPoolView {
    Optional<DataSource> current();

    /** The pool, or {@link DatabaseUnavailable} when there is none right now. */
    default DataSource require() {
        return current().orElseThrow(() -> new DatabaseUnavailable("no database connection yet", null));
    }
}
