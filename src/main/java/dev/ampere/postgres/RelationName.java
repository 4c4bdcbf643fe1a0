package dev.ampere.postgres;

/** A table's schema and name exactly as stored in the catalog (already unquoted and case-resolved). */
public record RelationName(String schema, String name) {
    /** {@code "schema"."name"}, quoted for SQL. */
    public String quoted() {
        return TableInfo.quoteIdent(schema) + "." + TableInfo.quoteIdent(name);
    }

    @Override
    public String toString() {
        return quoted();
    }
}
