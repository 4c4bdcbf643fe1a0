package dev.ampere.where;

import java.util.Set;

/**
 * Postgres keyword categories that matter to the where-clause grammar ({@code kwlist.h}): reserved words can be
 * neither column nor function names, type/function-name words can name functions but not columns. Part of the
 * parser.
 *
 * <p>Stateless.
 */
final class Keywords {
    private static final Set<String> RESERVED = Set.of(
            "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast",
            "check", "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role",
            "current_time", "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do",
            "else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in",
            "initially", "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not",
            "null", "offset", "on", "only", "or", "order", "placing", "primary", "references", "returning",
            "select", "session_user", "some", "symmetric", "table", "then", "to", "trailing", "true", "union",
            "unique", "user", "using", "variadic", "when", "where", "window", "with");
    private static final Set<String> TYPE_FUNC_NAME = Set.of(
            "authorization", "binary", "collation", "concurrently", "cross", "current_schema", "freeze", "full",
            "ilike", "inner", "is", "isnull", "join", "left", "like", "natural", "notnull", "outer", "overlaps",
            "right", "similar", "tablesample", "verbose");
    /** Words that may follow a complete where expression in {@code SELECT 1 WHERE …} as a further clause. */
    private static final Set<String> TRAILING_CLAUSES = Set.of(
            "group", "having", "window", "order", "limit", "offset", "fetch", "for", "union", "intersect", "except");

    private Keywords() {}

    static boolean isReserved(String word) {
        return RESERVED.contains(word);
    }

    static boolean canNameColumn(Token t) {
        return t.kind() == Token.Kind.QUOTED_IDENT
                || (t.kind() == Token.Kind.IDENT && !RESERVED.contains(t.text()) && !TYPE_FUNC_NAME.contains(t.text()));
    }

    static boolean canNameFunction(Token t) {
        return t.kind() == Token.Kind.QUOTED_IDENT || (t.kind() == Token.Kind.IDENT && !RESERVED.contains(t.text()));
    }

    static boolean startsTrailingClause(Token t) {
        return t.kind() == Token.Kind.IDENT && TRAILING_CLAUSES.contains(t.text());
    }
}
