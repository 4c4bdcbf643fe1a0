package dev.ampere.where;

/**
 * A resolved SQL type in the where-clause engine: a base type, optionally an array of it. Enums carry their
 * {@code pg_type.typname}; {@code UNKNOWN} is the type of a string literal or parameter before context decides
 * (Postgres's {@code unknown}). {@code varchar} and {@code bpchar} columns are treated as {@code text}.
 *
 * <p>Immutable.
 */
public record SqlType(Base base, boolean array, String enumName) {
    public enum Base {
        BOOL("bool"), INT2("int2"), INT4("int4"), INT8("int8"), NUMERIC("numeric"), FLOAT4("float4"),
        FLOAT8("float8"), TEXT("text"), UUID("uuid"), DATE("date"), TIME("time"), TIMESTAMP("timestamp"),
        TIMESTAMPTZ("timestamptz"), INTERVAL("interval"), ENUM("enum"), UNKNOWN("unknown");

        final String pgName;

        Base(String pgName) {
            this.pgName = pgName;
        }
    }

    public static final SqlType BOOL = of(Base.BOOL), INT2 = of(Base.INT2), INT4 = of(Base.INT4),
            INT8 = of(Base.INT8), NUMERIC = of(Base.NUMERIC), FLOAT4 = of(Base.FLOAT4), FLOAT8 = of(Base.FLOAT8),
            TEXT = of(Base.TEXT), UUID = of(Base.UUID), DATE = of(Base.DATE), TIME = of(Base.TIME),
            TIMESTAMP = of(Base.TIMESTAMP), TIMESTAMPTZ = of(Base.TIMESTAMPTZ), INTERVAL = of(Base.INTERVAL),
            UNKNOWN = of(Base.UNKNOWN);

    public static SqlType of(Base base) {
        return new SqlType(base, false, null);
    }

    public static SqlType enumType(String name) {
        return new SqlType(Base.ENUM, false, name);
    }

    /** The type for a catalog name ({@code int4}, {@code varchar}, ...), or null when unsupported. */
    public static SqlType fromPgName(String name) {
        return switch (name) {
            case "bool" -> BOOL;
            case "int2" -> INT2;
            case "int4" -> INT4;
            case "int8" -> INT8;
            case "numeric" -> NUMERIC;
            case "float4" -> FLOAT4;
            case "float8" -> FLOAT8;
            case "text", "varchar", "bpchar", "name" -> TEXT;
            case "uuid" -> UUID;
            case "date" -> DATE;
            case "time" -> TIME;
            case "timestamp" -> TIMESTAMP;
            case "timestamptz" -> TIMESTAMPTZ;
            case "interval" -> INTERVAL;
            default -> null;
        };
    }

    public SqlType arrayOf() {
        return new SqlType(base, true, enumName);
    }

    public SqlType element() {
        return new SqlType(base, false, enumName);
    }

    public boolean isNumeric() {
        return !array && numericRank() >= 0;
    }

    public boolean isInteger() {
        return !array && (base == Base.INT2 || base == Base.INT4 || base == Base.INT8);
    }

    /** Position in Postgres's implicit numeric promotion chain int2 → int4 → int8 → numeric → float4 → float8. */
    int numericRank() {
        return switch (base) {
            case INT2 -> 0;
            case INT4 -> 1;
            case INT8 -> 2;
            case NUMERIC -> 3;
            case FLOAT4 -> 4;
            case FLOAT8 -> 5;
            default -> -1;
        };
    }

    boolean isTextLike() {
        return !array && (base == Base.TEXT || base == Base.UNKNOWN);
    }

    /** The name Postgres prints and parses: {@code int4}, {@code text[]}, an enum's type name. */
    public String pgName() {
        String n = base == Base.ENUM ? enumName : base.pgName;
        return array ? n + "[]" : n;
    }

    /** The name as a SQL cast target: enum names are quoted. */
    String sqlName() {
        String n = base == Base.ENUM ? "\"" + enumName.replace("\"", "\"\"") + "\"" : base.pgName;
        return array ? n + "[]" : n;
    }

    @Override
    public String toString() {
        return pgName();
    }
}
