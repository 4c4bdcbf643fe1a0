package dev.ampere.postgres;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Table metadata by name, created once per stack; each Inspector incarnation starts by clearing it. Also, for
 * {@link #ALLOWED_FOR} after the catalog said so, which relations nothing stands in the way of making shapes of
 * ({@link CatalogQueries#refusal} found no refusal): a burst of new shapes on one table then costs one catalog
 * query, not one each through the Inspector. Only that answer is kept, and briefly: a refusal is asked again each
 * time (a client fixing its grants or publication sees the fix at once), and a grant revoked within the window is
 * met by the snapshot's own query failing.
 *
 * <p>Thread-safe. Written only by the Inspector ({@link #put}, {@link #remove} are package-private); read by
 * {@link TableLookup} from any thread.
 */
public final class TableCache {
    /** How long an "allowed" answer of the catalog stands. */
    static final long ALLOWED_FOR = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
    private final ConcurrentMap<RelationName, TableInfo> tables = new ConcurrentHashMap<>();
    /** Relation and publication to when the catalog last found nothing refusing them (System.nanoTime()). */
    private final ConcurrentMap<java.util.List<Object>, Long> allowed = new ConcurrentHashMap<>();

    /** Whether the catalog found no refusal for the relation and publication within {@link #ALLOWED_FOR}. */
    boolean recentlyAllowed(RelationName relation, String publication) {
        Long at = allowed.get(java.util.List.of(relation, publication));
        return at != null && System.nanoTime() - at < ALLOWED_FOR;
    }

    void allowed(RelationName relation, String publication, long at) {
        allowed.put(java.util.List.of(relation, publication), at);
    }

    Optional<TableInfo> get(RelationName relation) {
        return Optional.ofNullable(tables.get(relation));
    }

    void put(RelationName relation, TableInfo info) {
        tables.put(relation, info);
    }

    void remove(RelationName relation) {
        tables.remove(relation);
        allowed.keySet().removeIf(k -> k.getFirst().equals(relation));
    }

    void clear() {
        tables.clear();
        allowed.clear();
    }
}
