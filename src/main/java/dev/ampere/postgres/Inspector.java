package dev.ampere.postgres;

import dev.ampere.process.Call;
import dev.ampere.process.ProcessBody;
import dev.ampere.process.ProcessContext;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Table metadata read from the catalog and cached (Electric's EtsInspector).
 *
 * <p>Place in the tree: a permanent child of the StackSupervisor, started before the connection side. It owns the
 * stack's {@link TableCache} (the only writer of it) and reads the catalog through the query pool view it is given.
 * Readers on any thread go through {@link TableLookup}, the read-only view built on the same cache: a hit costs a
 * map read, a miss is one call here, so concurrent misses for a table cost one catalog query.
 *
 * <p>Threading: a process; the cache is written only on its thread.
 */
public final class Inspector implements ProcessBody {
    record Load(RelationName relation) {}

    record Invalidate(RelationName relation) {}

    /** Why no shape can be made of the relation, if anything stands in the way ({@link CatalogQueries#refusal}). */
    record Refusal(RelationName relation, String publication) {}

    private final TableCache cache;
    private final QueryPoolView pool;

    public Inspector(TableCache cache, QueryPoolView pool) {
        this.cache = cache;
        this.pool = pool;
    }

    @Override
    public void run(ProcessContext ctx) throws Exception {
        // An incarnation starts from an empty cache: an invalidation sent while no inspector ran was not applied.
        cache.clear();
        while (true) {
            switch (ctx.receive()) {
                case Call c when c.request() instanceof Load(RelationName relation) -> {
                    try {
                        c.reply(load(relation));
                    } catch (RuntimeException | SQLException e) {
                        c.fail(new DatabaseUnavailable("could not read the catalog for " + relation + ": "
                                + e.getMessage(), e));
                    }
                }
                case Call c when c.request() instanceof Refusal(RelationName relation, String publication) -> {
                    // Calls queued behind the one that asked the catalog are answered from what it found.
                    if (cache.recentlyAllowed(relation, publication)) {
                        c.reply(Optional.<String>empty());
                        continue;
                    }
                    long asked = System.nanoTime();
                    try (Connection conn = pool.require().getConnection()) {
                        Optional<String> refusal = CatalogQueries.refusal(conn, relation, publication);
                        if (refusal.isEmpty()) cache.allowed(relation, publication, asked);
                        c.reply(refusal);
                    } catch (RuntimeException | SQLException e) {
                        c.fail(new DatabaseUnavailable("could not read the catalog for " + relation + ": "
                                + e.getMessage(), e));
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
        Optional<TableInfo> cached = cache.get(relation);
        if (cached.isPresent()) return cached;
        DataSource ds = pool.require();
        try (Connection c = ds.getConnection()) {
            Optional<TableInfo> info = CatalogQueries.loadTable(c, relation);
            info.ifPresent(t -> cache.put(relation, t));
            return info;
        }
    }
}
