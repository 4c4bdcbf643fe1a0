package dev.ampere.postgres;

import dev.ampere.process.CallException;
import dev.ampere.process.ProcessRef;
import dev.ampere.process.ProcessRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The read-only view of the {@link Inspector}'s table metadata, handed to whoever needs tables (HTTP, the WAL
 * streamer, the log collector). A cached table is returned without any message; a miss asks the Inspector.
 *
 * <p>Thread-safe.
 */
public final class TableLookup {
    private final TableCache cache;
    private final ProcessRegistry registry;
    private final Object inspectorName;

    public TableLookup(TableCache cache, ProcessRegistry registry, Object inspectorName) {
        this.cache = cache;
        this.registry = registry;
        this.inspectorName = inspectorName;
    }

    /**
     * The table's metadata, or empty when no such table (or no ordinary/partitioned table) exists.
     *
     * @throws DatabaseUnavailable when the database cannot be asked
     */
    public Optional<TableInfo> lookup(RelationName relation, Duration timeout) throws InterruptedException {
        Optional<TableInfo> cached = cache.get(relation);
        if (cached.isPresent()) return cached;
        try {
            return inspector().call(new Inspector.Load(relation), timeout);
        } catch (CallException.Failed e) {
            if (e.getCause() instanceof DatabaseUnavailable u) throw u;
            throw new DatabaseUnavailable("could not read the catalog for " + relation + ": " + e.getMessage(), e);
        } catch (CallException e) {
            throw new DatabaseUnavailable("the table metadata service is not answering: " + e.getMessage(), e);
        }
    }

    /**
     * Why no shape can be made of the relation (a system catalog, a view, an unlogged table, a table the role may
     * not read, or would have to add to {@code publication} without owning it), or empty; asked of the catalog
     * before a new shape is created, unless it found no refusal within the last {@link TableCache#ALLOWED_FOR}.
     *
     * @throws DatabaseUnavailable when the database cannot be asked
     */
    public Optional<String> refusal(RelationName relation, String publication, Duration timeout) throws InterruptedException {
        if (cache.recentlyAllowed(relation, publication)) return Optional.empty();
        try {
            return inspector().call(new Inspector.Refusal(relation, publication), timeout);
        } catch (CallException.Failed e) {
            if (e.getCause() instanceof DatabaseUnavailable u) throw u;
            throw new DatabaseUnavailable("could not read the catalog for " + relation + ": " + e.getMessage(), e);
        } catch (CallException e) {
            throw new DatabaseUnavailable("the table metadata service is not answering: " + e.getMessage(), e);
        }
    }

    /** The table's primary key columns (empty: none, or no such table); for row keys on the replication path. */
    public List<String> primaryKey(RelationName relation, Duration timeout) throws InterruptedException {
        return lookup(relation, timeout).map(TableInfo::primaryKey).orElse(List.of());
    }

    /**
     * Drops a table's cached metadata and returns once it is gone, so that whatever the caller does next (telling
     * shapes their table changed) cannot be followed by a read of the stale entry.
     */
    public void invalidate(RelationName relation) throws InterruptedException {
        Optional<ProcessRef> inspector = registry.whereis(inspectorName);
        if (inspector.isEmpty()) return; // none running: the next incarnation starts with an empty cache
        try {
            inspector.get().call(new Inspector.Invalidate(relation), Duration.ofSeconds(30));
        } catch (CallException e) {
            // the inspector is restarting; its successor starts with an empty cache
        }
    }

    private ProcessRef inspector() {
        return registry.whereis(inspectorName)
                .orElseThrow(() -> new DatabaseUnavailable("the table metadata service is not running", null));
    }
}
