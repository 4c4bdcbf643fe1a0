package dev.ampere.postgres;

import dev.ampere.process.Call;
import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessContext;
import dev.ampere.process.ProcessRef;
import dev.ampere.stack.Names;
import dev.ampere.stack.Stack;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Table metadata read from the catalog and cached (Electric's EtsInspector). Readers on any thread hit the cache
 * through {@link #lookup} without a mailbox round trip; a miss is one call to this process, which loads through
 * the stack's query pool, so concurrent misses for the same table cost one catalog query. A relation change
 * reported by replication drops the table from the cache ({@link Invalidate}).
 *
 * <p>Threading: the cache map is shared for reading; only this process writes it.
 */
public final class Inspector implements ProcessBody {
    /** Drops cached metadata of a table (by name), e.g. after a Relation message changed it; see {@link #invalidate}. */
    public record Invalidate(RelationName relation) {}

    private record Load(RelationName relation) {}

    /** The database could not be asked: no pool yet, or the query failed. */
    public static final class Unavailable extends RuntimeException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Stack stack;
    private final ConcurrentMap<RelationName, TableInfo> cache;

    public Inspector(Stack stack, ConcurrentMap<RelationName, TableInfo> cache) {
        this.stack = stack;
        this.cache = cache;
    }

    /** The cache a stack's inspector incarnations share, so that a restart does not lose it. */
    public static ConcurrentMap<RelationName, TableInfo> newCache() {
        return new ConcurrentHashMap<>();
    }

    /**
     * The table's metadata, or empty when no such table (or no ordinary/partitioned table) exists.
     *
     * @throws Unavailable when the database cannot be asked
     */
    public static Optional<TableInfo> lookup(Stack stack, RelationName relation, Duration timeout)
            throws InterruptedException {
        TableInfo cached = stack.tableCache().get(relation);
        if (cached != null) return Optional.of(cached);
        ProcessRef inspector = stack.registry().whereis(Names.INSPECTOR)
                .orElseThrow(() -> new Unavailable("the inspector is not running", null));
        return inspector.call(new Load(relation), timeout);
    }

    /**
     * Drops a table's cached metadata and returns once it is gone, so that whatever the caller does next (telling
     * shapes their table changed) cannot be followed by a read of the stale entry.
     */
    public static void invalidate(Stack stack, RelationName relation) throws InterruptedException {
        var inspector = stack.registry().whereis(Names.INSPECTOR);
        if (inspector.isPresent()) inspector.get().call(new Invalidate(relation), Duration.ofSeconds(30));
        else stack.tableCache().remove(relation);
    }

    @Override
    public void run(ProcessContext ctx) throws Exception {
        while (true) {
            switch (ctx.receive()) {
                case Call c when c.request() instanceof Load(RelationName relation) -> {
                    try {
                        c.reply(load(relation));
                    } catch (RuntimeException | SQLException e) {
                        c.fail(new Unavailable("could not read the catalog for " + relation + ": " + e.getMessage(), e));
                    }
                }
                case Call c when c.request() instanceof Invalidate(RelationName relation) -> {
                    cache.remove(relation);
                    c.reply(true);
                }
                default -> { }
            }
        }
    }

    private Optional<TableInfo> load(RelationName relation) throws SQLException {
        TableInfo cached = cache.get(relation);
        if (cached != null) return Optional.of(cached);
        DataSource pool = stack.pool().orElseThrow(() -> new Unavailable("no database connection yet", null));
        try (Connection c = pool.getConnection()) {
            Optional<TableInfo> info = CatalogQueries.loadTable(c, relation);
            info.ifPresent(t -> cache.put(relation, t));
            return info;
        }
    }
}
