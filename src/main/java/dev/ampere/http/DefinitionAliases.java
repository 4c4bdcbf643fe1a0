package dev.ampere.http;

import dev.ampere.postgres.RelationName;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Which canonical shape definition a request's definition parameters produced last time, so that the requests that
 * follow (every live poll of every client repeats the same parameters) find their shape without looking the table up
 * or parsing and compiling the where clause again. An alias is only a hint: it is used when the shape it leads to
 * exists under that canonical form and has not ended; a table that changed ends its shapes, and the next request
 * then defines its shape afresh and records the new alias.
 *
 * <p>Thread-safe. Bounded: past {@link #MAX_ENTRIES} distinct parameter sets it starts over.
 */
final class DefinitionAliases {
    static final int MAX_ENTRIES = 100_000;

    private final ConcurrentMap<ShapeDefinitionParams, String> canonical = new ConcurrentHashMap<>();

    String get(ShapeDefinitionParams params) {
        return canonical.get(params);
    }

    /**
     * Records an alias. An entry lives as long as its shape, so its strings are shared rather than copied: the
     * canonical form with the shape table's key and the table name with every other alias of the table (both
     * through the JVM's string table).
     */
    void put(ShapeDefinitionParams params, String canonicalDefinition) {
        if (canonical.size() >= MAX_ENTRIES) canonical.clear();
        RelationName r = params.relation();
        ShapeDefinitionParams key = new ShapeDefinitionParams(new RelationName(r.schema().intern(), r.name().intern()),
                params.where(), params.params(), params.columns(), params.queryableColumns(), params.replica(),
                params.logMode(), params.compaction());
        canonical.put(key, canonicalDefinition.intern());
    }
}
