package dev.ampere.postgres;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Table metadata by name, created once per stack; each Inspector incarnation starts by clearing it.
 *
 * <p>Thread-safe. Written only by the Inspector ({@link #put}, {@link #remove} are package-private); read by
 * {@link TableLookup} from any thread.
 */
public final class TableCache {
    private final ConcurrentMap<RelationName, TableInfo> tables = new ConcurrentHashMap<>();

    Optional<TableInfo> get(RelationName relation) {
        return Optional.ofNullable(tables.get(relation));
    }

    void put(RelationName relation, TableInfo info) {
        tables.put(relation, info);
    }

    void remove(RelationName relation) {
        tables.remove(relation);
    }

    void clear() {
        tables.clear();
    }
}
