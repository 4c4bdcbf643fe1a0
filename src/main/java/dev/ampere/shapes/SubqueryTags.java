package dev.ampere.shapes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import dev.ampere.postgres.TableInfo;

/**
 * The row tags of shapes whose where clause filters through a sub-select ({@code col IN (SELECT ...)}), worded as
 * Electric words them (docs/protocol.md, "Subquery tags"): a tag names why a row is in the shape, the value its
 * tested column(s) had, so that a {@code move-out} event can remove exactly the rows a value brought in by listing
 * that value's tag as a pattern.
 *
 * <p>A tag is the lower-case hex MD5 of {@code stack id + shape handle + namespaced value}, where a value is
 * namespaced as {@code v:<text>} and SQL NULL as {@code NULL} (so NULL and the text {@code 'NULL'} differ). For a
 * composite test {@code (a, b) IN (SELECT ...)} the namespaced parts are each prefixed with {@code <column>:} and
 * concatenated before hashing. {@link #valueHashSql} and {@link #compositeHashSql} compute the same tags inside
 * Postgres, for snapshot and move-in queries; both sides must agree byte for byte.
 *
 * <p>Stateless and thread-safe.
 */
public final class SubqueryTags {
    static final String VALUE_PREFIX = "v:";
    static final String NULL_SENTINEL = "NULL";

    private SubqueryTags() {}

    /** {@code v:<value>}, or {@code NULL} for SQL NULL. */
    public static String namespace(String value) {
        return value == null ? NULL_SENTINEL : VALUE_PREFIX + value;
    }

    /** The tag of a single-column test whose column holds {@code value} (Postgres text output, or null). */
    public static String valueHash(String stackId, String handle, String value) {
        return md5Hex(stackId + handle + namespace(value));
    }

    /** The tag of a composite test over {@code columns} whose values are {@code values}, in the same order. */
    public static String compositeHash(String stackId, String handle, List<String> columns, List<String> values) {
        if (columns.size() != values.size() || columns.isEmpty()) {
            throw new IllegalArgumentException("one value per column, at least one column");
        }
        StringBuilder parts = new StringBuilder(stackId).append(handle);
        for (int i = 0; i < columns.size(); i++) {
            parts.append(columns.get(i)).append(':').append(namespace(values.get(i)));
        }
        return md5Hex(parts.toString());
    }

    /** SQL computing {@link #valueHash} of {@code column} in a query over the shape's table. */
    public static String valueHashSql(String stackId, String handle, String column) {
        return "md5(" + literal(stackId + handle) + " || " + namespaceSql(column) + ")";
    }

    /** SQL computing {@link #compositeHash} of {@code columns} in a query over the shape's table. */
    public static String compositeHashSql(String stackId, String handle, List<String> columns) {
        if (columns.isEmpty()) throw new IllegalArgumentException("at least one column");
        List<String> parts = new ArrayList<>();
        parts.add(literal(stackId + handle));
        for (String column : columns) {
            parts.add(literal(column + ":") + " || " + namespaceSql(column));
        }
        return "md5(" + String.join(" || ", parts) + ")";
    }

    private static String namespaceSql(String column) {
        String text = TableInfo.quoteIdent(column) + "::text";
        return "CASE WHEN " + text + " IS NULL THEN " + literal(NULL_SENTINEL) + " ELSE " + literal(VALUE_PREFIX)
                + " || " + text + " END";
    }

    /** A string literal as Postgres reads it with {@code standard_conforming_strings} on, its default. */
    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static String md5Hex(String s) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            return HexFormat.of().formatHex(md5.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides MD5", e);
        }
    }
}
