package dev.ampere.where;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.TableInfo;

/**
 * The table the differential tests evaluate against: one column per supported type, filled with random rows that
 * include NULLs and edge values; its {@link TableInfo} is read from the catalog as the Inspector would; rows are
 * read back in Postgres text format, exactly what pgoutput and the snapshot deliver.
 *
 * <p>Not thread-safe.
 */
final class DifferentialTable {
    static final String DDL = """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            CREATE DOMAIN posint AS int4 CHECK (VALUE >= 0);
            CREATE TABLE t (id int4 PRIMARY KEY, i2 int2, i4 int4, i8 int8, n numeric, f float8, t text, b bool,
              u uuid, d date, ts timestamp, tz timestamptz, iv interval, ia int4[], ta text[], e mood,
              v varchar(20), p posint);
            CREATE FUNCTION ev(expr text) RETURNS text[] LANGUAGE plpgsql AS $f$
            DECLARE r text[]; rid int; res text;
            BEGIN
              BEGIN
                EXECUTE format('SELECT array_agg(coalesce(((%s))::text, ''N'') ORDER BY id) FROM t', expr) INTO r;
                RETURN r;
              EXCEPTION WHEN others THEN
                r := '{}';
                FOR rid IN SELECT id FROM t ORDER BY id LOOP
                  BEGIN
                    EXECUTE format('SELECT coalesce(((%s))::text, ''N'') FROM t WHERE id = $1', expr) INTO res USING rid;
                  EXCEPTION WHEN others THEN res := 'E:' || SQLERRM;
                  END;
                  r := r || res;
                END LOOP;
                RETURN r;
              END;
            END $f$;
            """;

    static final String SESSION = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET extra_float_digits = 1;";

    private DifferentialTable() {}

    static void create(Connection c, long seed, int rows) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(SESSION);
            s.execute(DDL);
            Random rnd = new Random(seed);
            RandomExpressions lits = new RandomExpressions(seed ^ 0x5DEECE66DL);
            for (int id = 1; id <= rows; id++) {
                List<String> vals = new ArrayList<>();
                vals.add(Integer.toString(id));
                for (RandomExpressions.T t : List.of(RandomExpressions.T.INT2, RandomExpressions.T.INT4, RandomExpressions.T.INT8,
                        RandomExpressions.T.NUMERIC, RandomExpressions.T.FLOAT8, RandomExpressions.T.TEXT, RandomExpressions.T.BOOL,
                        RandomExpressions.T.UUID, RandomExpressions.T.DATE, RandomExpressions.T.TIMESTAMP,
                        RandomExpressions.T.TIMESTAMPTZ, RandomExpressions.T.INTERVAL, RandomExpressions.T.INTARR,
                        RandomExpressions.T.TEXTARR, RandomExpressions.T.ENUM, RandomExpressions.T.TEXT)) {
                    vals.add(rnd.nextInt(7) == 0 ? "NULL" : lits.literal(t));
                }
                vals.add(rnd.nextInt(5) == 0 ? "NULL" : Integer.toString(rnd.nextInt(100)));
                s.execute("INSERT INTO t VALUES (" + String.join(", ", vals) + ")");
            }
            s.execute("UPDATE t SET v = left(v, 20)");
        }
    }

    static TableInfo tableInfo(Connection c) throws SQLException {
        List<ColumnInfo> cols = new ArrayList<>();
        String q = """
                SELECT a.attname, a.attnum, a.atttypid,
                       format_type(CASE WHEN et.oid IS NOT NULL THEN et.oid ELSE a.atttypid END, NULL),
                       coalesce(nullif(bt.typbasetype, 0), CASE WHEN et.oid IS NOT NULL THEN et.oid ELSE a.atttypid END),
                       coalesce(bt2.typtype, bt.typtype)::text,
                       CASE WHEN et.oid IS NOT NULL THEN greatest(a.attndims, 1) ELSE 0 END, a.atttypmod, a.attnotnull
                FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
                LEFT JOIN pg_type et ON et.oid = ty.typelem AND ty.typcategory = 'A'
                JOIN pg_type bt ON bt.oid = coalesce(et.oid, a.atttypid)
                LEFT JOIN pg_type bt2 ON bt2.oid = nullif(bt.typbasetype, 0)
                WHERE a.attrelid = 't'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
                """;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(q)) {
            while (rs.next()) {
                String name = rs.getString(1);
                String typeName = rs.getString(4).replace("integer", "int4").replace("smallint", "int2")
                        .replace("bigint", "int8").replace("double precision", "float8").replace("boolean", "bool")
                        .replace("timestamp without time zone", "timestamp").replace("timestamp with time zone", "timestamptz")
                        .replace("character varying", "varchar");
                cols.add(new ColumnInfo(name, rs.getInt(2), rs.getInt(3), typeName, rs.getInt(5), rs.getString(6).charAt(0),
                        rs.getInt(7), rs.getInt(8), rs.getBoolean(9), name.equals("id") ? 0 : -1, false));
            }
        }
        return new TableInfo("public", "t", 0, cols, List.of("id"), 'f', 'r');
    }

    /** All rows in id order, each as the text of every column (null for NULL). */
    static List<String[]> rows(Connection c, TableInfo table, String intervalStyle) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            s.execute("SET IntervalStyle = '" + intervalStyle + "'");
            StringBuilder cols = new StringBuilder();
            for (ColumnInfo col : table.columns()) cols.append(cols.isEmpty() ? "" : ", ").append(TableInfo.quoteIdent(col.name())).append("::text");
            try (ResultSet rs = s.executeQuery("SELECT " + cols + " FROM t ORDER BY t.id")) {
                int n = table.columns().size();
                while (rs.next()) {
                    String[] row = new String[n];
                    for (int i = 0; i < n; i++) row[i] = rs.getString(i + 1);
                    out.add(row);
                }
            }
        }
        return out;
    }
}
