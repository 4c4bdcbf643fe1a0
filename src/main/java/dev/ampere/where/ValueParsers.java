package dev.ampere.where;

import java.util.function.Function;

/**
 * Text-to-value parsers bound once per column type, so a compiled column read does no type dispatch.
 *
 * <p>Stateless; the returned functions are thread-safe.
 */
final class ValueParsers {
    private ValueParsers() {}

    static Function<String, Object> of(SqlType type) {
        if (type.array()) return s -> Values.parse(type, s);
        return switch (type.base()) {
            case INT2 -> s -> Values.parseInt(s, 16, "smallint");
            case INT4 -> s -> Values.parseInt(s, 32, "integer");
            case INT8 -> s -> Values.parseInt(s, 64, "bigint");
            case TEXT, ENUM, UNKNOWN -> s -> s;
            case BOOL -> ValueParsers::bool;
            default -> s -> Values.parseScalar(type.base(), s);
        };
    }

    private static Object bool(String s) {
        if (s.length() == 1) {
            char c = s.charAt(0);
            if (c == 't') return Boolean.TRUE;
            if (c == 'f') return Boolean.FALSE;
        }
        return Values.parseBool(s);
    }
}
