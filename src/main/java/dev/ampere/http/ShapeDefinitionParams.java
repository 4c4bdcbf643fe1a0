package dev.ampere.http;

import dev.ampere.shapes.ShapeDefinition;

import dev.ampere.postgres.RelationName;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shape-definition part of a request, after syntax checks only: the table name is parsed but not looked up,
 * {@code where} is raw text, and the columns are not yet checked against the table (the shape route does that with
 * the catalog, docs/protocol.md §2).
 *
 * @param relation         the table; schema {@code public} unless given
 * @param where            the raw {@code where} text; empty when absent or blank
 * @param params           {@code $n} values keyed {@code "1".."n"}, in numeric key order (validated only when
 *                         {@code where} is present, as Electric does)
 * @param columns          the parsed {@code columns} list in request order; empty when absent or blank
 * @param queryableColumns the parsed {@code queryable_columns} list; empty when absent or blank
 * @param replica          {@code replica}, default {@link ShapeDefinition.Replica#DEFAULT}
 * @param logMode          {@code log}, default {@link ShapeDefinition.LogMode#FULL}
 * @param compaction       {@code experimental_compaction}
 *
 * <p>Immutable.
 */
public record ShapeDefinitionParams(RelationName relation, Optional<String> where, Map<String, String> params,
                                    Optional<List<String>> columns, Optional<List<String>> queryableColumns,
                                    ShapeDefinition.Replica replica, ShapeDefinition.LogMode logMode, boolean compaction) {
    public ShapeDefinitionParams {
        // Kept as an alias key for as long as its shape lives: no map objects when there are no params (most shapes).
        params = params.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        columns = columns.map(List::copyOf);
        queryableColumns = queryableColumns.map(List::copyOf);
    }
}
