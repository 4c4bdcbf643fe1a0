package dev.ampere.postgres;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a table's metadata from the Postgres catalog: identity, replica identity, columns with their types
 * (domains resolved to their base type, arrays to their element type, and the name a domain is reported by in
 * {@code electric-schema}) and primary key. Only ordinary tables
 * qualify for now: a partitioned table's changes arrive under its partitions' names unless the publication
 * publishes via the root, which Ampere does not set up yet. Generated columns are left out, because pgoutput
 * before Postgres 18 does not send them: the stream's rows and these columns must line up one to one.
 *
 * <p>Stateless; the connection is the caller's.
 */
public final class CatalogQueries {
    private static final String TABLE_SQL = """
            SELECT c.oid, c.relkind, c.relreplident
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relname = ? AND c.relkind = 'r'""";

    private static final String COLUMNS_SQL = """
            SELECT a.attname, a.attnum, a.atttypid, a.atttypmod, a.attnotnull, a.attndims, a.attgenerated <> '' AS generated
            FROM pg_attribute a
            WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
            ORDER BY a.attnum""";

    private static final String PK_SQL = """
            SELECT a.attname
            FROM pg_index i
            CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
            WHERE i.indrelid = ? AND i.indisprimary
            ORDER BY k.position""";

    private static final String TYPES_SQL = """
            SELECT t.oid, t.typname, t.typtype, t.typelem, t.typbasetype, t.typcategory
            FROM pg_type t WHERE t.oid = ANY(?)""";

    private record PgType(int oid, String name, char type, int elem, int baseType, char category) {}

    // Postgres's own rule for what a publication can hold (is_publishable_class): an ordinary or partitioned table,
    // permanent, not a system catalog (OIDs below FirstNormalObjectId, 16384). Adding a table to a publication and
    // setting its replica identity both take ownership (membership of the owning role).
    private static final String REFUSAL_SQL = """
            SELECT c.relkind, c.relpersistence,
                   c.oid < 16384 OR n.nspname IN ('pg_catalog', 'information_schema') OR n.nspname LIKE 'pg\\_toast%'
                     OR n.nspname LIKE 'pg\\_temp%' AS system,
                   has_table_privilege(c.oid, 'SELECT') AS readable,
                   pg_has_role(c.relowner, 'USAGE') AS owned,
                   c.relreplident = 'f' AND EXISTS (SELECT 1 FROM pg_publication_rel pr
                     JOIN pg_publication p ON p.oid = pr.prpubid WHERE pr.prrelid = c.oid AND p.pubname = ?) AS ready
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relname = ?""";

    /**
     * Why a shape cannot be made of this relation although it may exist: a system catalog, another kind of
     * relation than an ordinary table, an unlogged or temporary table (its changes never reach the replication
     * stream), a table the role may not read, or one it would have to alter (add to the publication, set REPLICA
     * IDENTITY FULL) without owning it; one already in {@code publication} with REPLICA IDENTITY FULL needs no
     * ownership. Empty when nothing stands in the way, or when no such relation exists.
     * The message is for the client's {@code errors.table} (docs/protocol.md §1.4).
     */
    public static Optional<String> refusal(Connection c, RelationName relation, String publication) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(REFUSAL_SQL)) {
            ps.setString(1, publication);
            ps.setString(2, relation.schema());
            ps.setString(3, relation.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                String name = "Table \"" + relation.schema() + "." + relation.name() + "\"";
                char kind = rs.getString(1).charAt(0);
                char persistence = rs.getString(2).charAt(0);
                if (rs.getBoolean(3)) return Optional.of(name + " is a system catalog; only user tables can be shapes");
                String what = switch (kind) {
                    case 'r' -> null;
                    case 'p' -> " is a partitioned table, which cannot be a shape yet; use its partitions";
                    case 'v' -> " is a view; only tables can be shapes";
                    case 'm' -> " is a materialized view; only tables can be shapes";
                    case 'f' -> " is a foreign table; only tables can be shapes";
                    default -> " is not a table; only tables can be shapes";
                };
                if (what != null) return Optional.of(name + what);
                if (persistence != 'p') {
                    return Optional.of(name + " is " + (persistence == 'u' ? "unlogged" : "temporary")
                            + ", so its changes never reach logical replication");
                }
                String quoted = "\"" + relation.schema() + "." + relation.name() + "\"";
                if (!rs.getBoolean(4)) {
                    return Optional.of("Permission denied for table " + quoted + ": the database role may not read it");
                }
                if (!rs.getBoolean(5) && !rs.getBoolean(6)) {
                    return Optional.of("Permission denied for table " + quoted + ": it must be added to the publication"
                            + " with REPLICA IDENTITY FULL, which only its owner may do, and the database role does not"
                            + " own it");
                }
                return Optional.empty();
            }
        }
    }

    private CatalogQueries() {}

    public static Optional<TableInfo> loadTable(Connection c, RelationName relation) throws SQLException {
        int oid;
        char kind;
        char replident;
        try (PreparedStatement ps = c.prepareStatement(TABLE_SQL)) {
            ps.setString(1, relation.schema());
            ps.setString(2, relation.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                oid = (int) rs.getLong(1);
                kind = rs.getString(2).charAt(0);
                replident = rs.getString(3).charAt(0);
            }
        }
        List<String> pk = primaryKey(c, oid);
        List<Object[]> rawColumns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMNS_SQL)) {
            ps.setLong(1, oid & 0xFFFFFFFFL);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rawColumns.add(new Object[]{rs.getString(1), rs.getInt(2), (int) rs.getLong(3), rs.getInt(4),
                            rs.getBoolean(5), rs.getInt(6), rs.getBoolean(7)});
                }
            }
        }
        Map<Integer, PgType> types = new HashMap<>();
        List<ColumnInfo> columns = new ArrayList<>();
        for (Object[] r : rawColumns) {
            String name = (String) r[0];
            int typeOid = (int) r[2];
            TypeShape shape = resolve(c, types, typeOid);
            int dims = shape.array ? Math.max(1, (int) r[5]) : 0;
            // electric-schema names a domain by its own name (Electric reports pg_type.typname, the element's for
            // an array), so clients leave its values unparsed; a domain over an array is no array to Electric.
            PgType declared = types.get(typeOid);
            PgType element = declared.category() == 'A' && declared.elem() != 0 && declared.type() != 'd'
                    ? types.get(declared.elem()) : null;
            String schemaType = shape.name;
            int schemaDims = dims;
            if (declared.type() == 'd') {
                schemaType = declared.name();
                schemaDims = 0;
            } else if (element != null && element.type() == 'd') {
                schemaType = element.name();
            }
            columns.add(new ColumnInfo(name, (int) r[1], typeOid, shape.name, shape.baseOid, shape.kind, dims,
                    (int) r[3], (boolean) r[4], pk.indexOf(name), (boolean) r[6], schemaType, schemaDims));
        }
        List<String> key = pk.isEmpty() ? columns.stream().map(ColumnInfo::name).toList() : pk;
        return Optional.of(new TableInfo(relation.schema(), relation.name(), oid, columns, key, replident, kind));
    }

    private static List<String> primaryKey(Connection c, int oid) throws SQLException {
        List<String> pk = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(PK_SQL)) {
            ps.setLong(1, oid & 0xFFFFFFFFL);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) pk.add(rs.getString(1));
            }
        }
        return pk;
    }

    private record TypeShape(String name, int baseOid, char kind, boolean array) {}

    /** Follows domains to their base type and arrays to their element type. */
    private static TypeShape resolve(Connection c, Map<Integer, PgType> cache, int typeOid) throws SQLException {
        boolean array = false;
        int current = typeOid;
        for (int depth = 0; depth < 16; depth++) {
            PgType t = type(c, cache, current);
            if (t.type() == 'd') {
                current = t.baseType();
            } else if (t.category() == 'A' && t.elem() != 0) {
                array = true;
                current = t.elem();
            } else {
                return new TypeShape(t.name(), t.oid(), t.type(), array);
            }
        }
        throw new SQLException("type " + typeOid + " nests too deeply");
    }

    private static PgType type(Connection c, Map<Integer, PgType> cache, int oid) throws SQLException {
        PgType t = cache.get(oid);
        if (t != null) return t;
        try (PreparedStatement ps = c.prepareStatement(TYPES_SQL)) {
            Array arr = c.createArrayOf("oid", new Object[]{(long) oid & 0xFFFFFFFFL});
            ps.setArray(1, arr);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new SQLException("unknown type " + oid);
                t = new PgType((int) rs.getLong(1), rs.getString(2), rs.getString(3).charAt(0), (int) rs.getLong(4),
                        (int) rs.getLong(5), rs.getString(6).charAt(0));
            }
        }
        cache.put(oid, t);
        return t;
    }
}
