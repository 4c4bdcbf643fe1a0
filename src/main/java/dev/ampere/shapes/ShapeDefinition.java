package dev.ampere.shapes;

import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.TableInfo;
import dev.ampere.where.Subquery;
import dev.ampere.where.TableResolver;
import dev.ampere.where.WhereClause;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a shape is (docs/protocol.md §2): a table, an optional where clause (with its {@code $n} params), the selected
 * columns and the replica and log modes. Definitions that compare equal by {@link #canonical()} share one handle
 * (§2.6); the where clause takes part through its regenerated SQL, so cosmetic differences in the text collapse.
 *
 * <p>Immutable.
 *
 * @param table          the table's metadata when the shape was defined; a later schema change invalidates it
 * @param where          the compiled where clause, if any
 * @param params         the values of {@code $1..$n}
 * @param columns        selected column names, in the table's attribute order
 * @param explicitColumns whether the request named the columns
 */
public record ShapeDefinition(TableInfo table, Optional<WhereClause> where, Map<String, String> params,
                              List<String> columns, boolean explicitColumns, Replica replica, LogMode log) {

    public enum Replica { DEFAULT, FULL }

    public enum LogMode { FULL, CHANGES_ONLY }

    /** Column lists repeat across the shapes of a table: one copy each. */
    private static final Interner<List<String>> COLUMN_LISTS = new Interner<>(10_000);

    public ShapeDefinition {
        params = Map.copyOf(params);
        columns = COLUMN_LISTS.intern(List.copyOf(columns));
    }

    /**
     * Builds and validates a definition: columns must exist, must not be generated, and must include the primary key
     * (every column, for a table without one).
     *
     * @throws ShapeDefinitionException for an invalid column list
     * @throws dev.ampere.where.WhereClauseException for an invalid where clause or params
     */
    public static ShapeDefinition create(TableInfo table, Optional<String> whereText, Map<String, String> params,
                                         Optional<List<String>> requestedColumns, Replica replica, LogMode log) {
        return create(table, whereText, params, requestedColumns, replica, log, null);
    }

    /**
     * As above, reading sub-selects in the where clause ({@code x IN (SELECT ...)}, docs/protocol.md "Sub-selects"),
     * whose tables {@code resolver} finds; a null resolver refuses them.
     *
     * @throws TableResolver.Unavailable when a sub-select's table could not be looked up
     */
    public static ShapeDefinition create(TableInfo table, Optional<String> whereText, Map<String, String> params,
                                         Optional<List<String>> requestedColumns, Replica replica, LogMode log,
                                         TableResolver resolver) {
        Optional<WhereClause> where = whereText.map(w -> WhereClause.parse(w, table, params, resolver));
        List<String> columns = requestedColumns.map(cols -> selectColumns(table, cols))
                .orElseGet(() -> table.columns().stream().map(ColumnInfo::name).toList());
        // Params only mean something through a where clause (Electric ignores them otherwise): keep them out of the
        // definition so they cannot split one shape into several.
        return new ShapeDefinition(table, where, where.isPresent() ? params : Map.of(), columns,
                requestedColumns.isPresent(), replica, log);
    }

    private static List<String> selectColumns(TableInfo table, List<String> requested) {
        if (requested.isEmpty()) throw new ShapeDefinitionException("columns", "must not be empty");
        List<String> unknown = new ArrayList<>();
        for (String c : requested) if (table.column(c).isEmpty()) unknown.add(c);
        if (!unknown.isEmpty()) {
            throw new ShapeDefinitionException("columns",
                    "The following columns are not found on the table: " + String.join(", ", unknown));
        }
        List<String> missingKey = new ArrayList<>();
        for (String k : table.primaryKey()) if (!requested.contains(k)) missingKey.add(k);
        if (!missingKey.isEmpty()) {
            throw new ShapeDefinitionException("columns",
                    "The list of columns must include all primary key columns, missing: " + String.join(", ", missingKey));
        }
        for (String c : requested) {
            if (table.column(c).orElseThrow().generated()) {
                throw new ShapeDefinitionException("columns", "The following columns are generated and cannot be"
                        + " included in the shape: " + c);
            }
        }
        List<String> ordered = new ArrayList<>();
        for (ColumnInfo c : table.columns()) if (requested.contains(c.name())) ordered.add(c.name());
        return ordered;
    }

    /** The identity used for deduplication: two requests with equal canonical forms share a shape. */
    public String canonical() {
        return table.oid() + "|" + table.quotedName() + "|" + where.map(WhereClause::canonical).orElse("")
                + "|" + String.join(",", columns.stream().map(TableInfo::quoteIdent).toList())
                + "|" + replica + "|" + log + "|" + new TreeMap<>(params);
    }

    /** The identity of {@link #canonical()}, as the shape table and the HTTP layer's aliases keep it. */
    public DefinitionKey key() {
        return DefinitionKey.of(canonical());
    }

    /** A handle for this definition: a 27-bit hash of the canonical form and the creation time in microseconds. */
    public String newHandle(long epochMicros) {
        return newHandle(key(), epochMicros);
    }

    /** As {@link #newHandle(long)}, from the definition's key (the first 27 bits of the same SHA-256). */
    public static String newHandle(DefinitionKey key, long epochMicros) {
        int hash = (int) (key.high() >>> 32) & 0x7FF_FFFF;
        return hash + "-" + epochMicros;
    }

    /** Whether the where clause filters through sub-selects, whose values the shape's consumer keeps. */
    public boolean hasSubqueries() {
        return where.isPresent() && where.get().hasSubqueries();
    }

    /**
     * The tables whose changes the shape depends on: its own first, then those of its sub-selects (nested ones
     * too), each once.
     */
    public List<TableInfo> tables() {
        List<TableInfo> out = new ArrayList<>();
        out.add(table);
        where.ifPresent(w -> addTables(w, out));
        return out;
    }

    private static void addTables(WhereClause w, List<TableInfo> out) {
        for (Subquery q : w.subqueries()) {
            if (out.stream().noneMatch(t -> t.oid() == q.table().oid())) out.add(q.table());
            q.where().ifPresent(inner -> addTables(inner, out));
        }
    }

    /** The SQL of the where clause, regenerated from the parse tree (never the user's text), or empty. */
    public Optional<String> whereSql() {
        return where.map(WhereClause::toSql);
    }
}
