package dev.ampere.where;

import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.TableInfo;

/**
 * Maps catalog column metadata to {@link SqlType}s: base types by OID after domains (so a domain over int4 is
 * int4), enums by {@code typeKind 'e'}, arrays by {@code arrayDims}. Also resolves cast target names, which may
 * name an enum type used by one of the table's columns.
 *
 * <p>Stateless.
 */
final class ColumnTypes {
    private ColumnTypes() {}

    /** The column's type, or null when the where engine does not support it (json, bytea, composite, ...). */
    static SqlType of(ColumnInfo c) {
        SqlType t;
        if (c.typeKind() == 'e') t = SqlType.enumType(c.typeName());
        else {
            t = byOid(c.baseTypeOid());
            if (t == null) t = SqlType.fromPgName(c.typeName());
        }
        if (t == null) return null;
        return c.isArray() ? t.arrayOf() : t;
    }

    static SqlType byOid(int oid) {
        return switch (oid) {
            case 16 -> SqlType.BOOL;
            case 21 -> SqlType.INT2;
            case 23 -> SqlType.INT4;
            case 20 -> SqlType.INT8;
            case 1700 -> SqlType.NUMERIC;
            case 700 -> SqlType.FLOAT4;
            case 701 -> SqlType.FLOAT8;
            case 25, 1043, 1042, 19 -> SqlType.TEXT;
            case 2950 -> SqlType.UUID;
            case 1082 -> SqlType.DATE;
            case 1083 -> SqlType.TIME;
            case 1114 -> SqlType.TIMESTAMP;
            case 1184 -> SqlType.TIMESTAMPTZ;
            case 1186 -> SqlType.INTERVAL;
            default -> null;
        };
    }

    static SqlType named(String name, TableInfo table) {
        SqlType t = SqlType.fromPgName(name);
        if (t != null) return t;
        for (ColumnInfo c : table.columns()) {
            if (c.typeKind() == 'e' && c.typeName().equals(name)) return SqlType.enumType(name);
        }
        return null;
    }
}
