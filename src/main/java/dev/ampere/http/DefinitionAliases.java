package dev.ampere.http;

import dev.ampere.postgres.RelationName;
import dev.ampere.shapes.DefinitionKey;
import dev.ampere.shapes.Interner;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Which shape definition (by its key) a request's definition parameters produced last time, so that the requests that
 * follow (every live poll of every client repeats the same parameters) find their shape without looking the table up
 * or parsing and compiling the where clause again. An alias is only a hint: it is used when the shape it leads to
 * exists under that canonical form and has not ended; a table that changed ends its shapes, and the next request
 * then defines its shape afresh and records the new alias.
 *
 * <p>Thread-safe. Bounded: past {@link #MAX_ENTRIES} distinct parameter sets it starts over.
 */
final class DefinitionAliases {
    static final int MAX_ENTRIES = 100_000;

    private final ConcurrentMap<ShapeDefinitionParams, DefinitionKey> canonical = new ConcurrentHashMap<>();
    /** The aliases of one table share one table name. */
    private final Interner<RelationName> relations = new Interner<>(MAX_ENTRIES);

    DefinitionKey get(ShapeDefinitionParams params) {
        return canonical.get(params);
    }

    /**
     * Records an alias. An entry lives as long as its shape, so what it holds is shared rather than copied: the
     * definition's key with the shape table's index (the shape's own key object), the table name with every other
     * alias of the table.
     */
    void put(ShapeDefinitionParams params, DefinitionKey key) {
        if (canonical.size() >= MAX_ENTRIES) canonical.clear();
        RelationName r = params.relation();
        ShapeDefinitionParams aliasKey = new ShapeDefinitionParams(relations.intern(r),
                params.where(), params.params(), params.columns(), params.queryableColumns(), params.replica(),
                params.logMode(), params.compaction());
        canonical.put(aliasKey, key);
    }
}
