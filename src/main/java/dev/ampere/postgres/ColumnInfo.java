package dev.ampere.postgres;

/**
 * One column of a table as the Inspector read it from the catalog.
 *
 * @param name        the column name, exactly as stored (case and special characters preserved)
 * @param attnum      Postgres attribute number (1-based; dropped columns are never listed)
 * @param typeOid     the column's type OID (for a domain: the domain's OID)
 * @param typeName    {@code pg_type.typname} of the type after resolving domains, of its element type for arrays,
 *                    e.g. {@code int4}, {@code text}, {@code my_enum}
 * @param baseTypeOid the type OID after resolving domains (the element type's for arrays); equals typeOid when no
 *                    domain is involved
 * @param typeKind    {@code pg_type.typtype} of the (element) type after domains: {@code b} base, {@code e} enum,
 *                    {@code c} composite, {@code r} range, {@code m} multirange, {@code p} pseudo
 * @param arrayDims   0 for scalars; the declared dimension count ({@code attndims}, at least 1) for arrays
 * @param typeMod     {@code atttypmod} (-1 when none)
 * @param notNull     {@code attnotnull}
 * @param pkIndex     0-based position in the primary key, or -1 when not part of it
 * @param generated   true for a generated column ({@code attgenerated <> ''})
 * @param schemaType  the type name the {@code electric-schema} header reports (docs/protocol.md §1.7): as
 *                    {@code typeName}, except that a domain keeps its own name ({@code pg_type.typname} of the
 *                    domain, of the array's element domain for an array of a domain), as Electric reports it
 * @param schemaDims  the {@code dims} the header reports: as {@code arrayDims}, except 0 for a domain over an array
 *                    (the column's declared type is the domain, not an array)
 */
public record ColumnInfo(String name, int attnum, int typeOid, String typeName, int baseTypeOid, char typeKind,
                         int arrayDims, int typeMod, boolean notNull, int pkIndex, boolean generated,
                         String schemaType, int schemaDims) {

    /** A column whose type involves no domain: the header reports {@code typeName} and {@code arrayDims}. */
    public ColumnInfo(String name, int attnum, int typeOid, String typeName, int baseTypeOid, char typeKind,
                      int arrayDims, int typeMod, boolean notNull, int pkIndex, boolean generated) {
        this(name, attnum, typeOid, typeName, baseTypeOid, typeKind, arrayDims, typeMod, notNull, pkIndex, generated,
                typeName, arrayDims);
    }

    public boolean isArray() {
        return arrayDims > 0;
    }

    public boolean isPrimaryKey() {
        return pkIndex >= 0;
    }
}
