package dev.ampere.where;

import java.util.List;

/**
 * SQL with JDBC placeholders ({@code ?}) and the text values to bind to them, in order. Values are meant to be bound
 * untyped ({@code java.sql.Types.OTHER}); each placeholder carries its own cast where the type is known.
 *
 * <p>Immutable.
 */
public record BoundSql(String sql, List<String> values) {
    public BoundSql {
        values = List.copyOf(values);
    }
}
