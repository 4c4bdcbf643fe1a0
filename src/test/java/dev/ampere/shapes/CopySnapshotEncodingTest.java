package dev.ampere.shapes;

import dev.ampere.config.SessionSettings;
import dev.ampere.postgres.CatalogQueries;
import dev.ampere.postgres.RelationName;
import dev.ampere.postgres.RowKeys;
import dev.ampere.postgres.TableInfo;
import dev.ampere.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The COPY path (COPY text → {@link CopyTextRow} → {@link SnapshotRowWriter}) against the ResultSet path
 * ({@code getString} → {@link LogItemEncoder#snapshotRow}, keys by {@link RowKeys#key}), byte for byte, on real
 * Postgres with Ampere's session settings: every type family, NULLs, escapes, non-ASCII, large values, keys with
 * {@code /} and NULL parts.
 */
class CopySnapshotEncodingTest {
    private static String db;

    private static final String[] SETUP = {
        "CREATE TYPE mood AS ENUM ('sad', 'happy')",
        "CREATE DOMAIN posint AS int4 CHECK (VALUE > 0)",
        "CREATE TYPE pair AS (n int4, label text)",
        """
        CREATE TABLE types (
          id int4 PRIMARY KEY, c_int2 int2, c_int8 int8, c_numeric numeric, c_float4 float4, c_float8 float8,
          c_nan float8, c_inf float8, c_ninf float4, c_text text, c_varchar varchar(10), c_bpchar char(5), c_bool bool,
          c_bytea bytea, c_json json, c_jsonb jsonb, c_uuid uuid, c_date date, c_time time, c_timestamp timestamp,
          c_timestamptz timestamptz, c_interval interval, c_int_array int4[], c_text_2d text[][], c_mood mood,
          c_posint posint, c_pair pair, c_big text, "we""ird/ ñame" text)
        """,
        """
        INSERT INTO types VALUES (1, -32768, 9223372036854775807, 12345.678900, 1.5, 1.0/3,
          'NaN', 'Infinity', '-Infinity', 'héllo "q" / \\ ünï', 'v', 'ab', true,
          '\\x0102ff', '{"b": 2,  "a": 1}', '{"b": 2, "a": "x\\ty\\u0001"}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
          '2024-03-04', '13:14:15.25', '2024-03-04 05:06:07.5', '2024-03-04 05:06:07+02',
          '1 year 2 months 3 days 04:05:06', '{1,2,3}', '{{a,"b c"},{NULL,d}}', 'happy', 5, ROW(7, 'x y'),
          (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 1000) i), 'x')
        """,
        "INSERT INTO types (id) VALUES (2)",
        """
        INSERT INTO types (id, c_text, c_varchar, c_json, c_big, c_text_2d) VALUES
          (3, E'tab\\there nl\\nx cr\\r bs\\\\ bell\\b ff\\f vt\\v ctl\\x01\\x1f del\\x7f "q" / ',
           E'\\\\N', '"\\\\N"', repeat(E'ü😀\\t\\\\', 300000), '{"a\\\\tb","\\"q\\""}'),
          (4, '', '', 'null', '', '{}')
        """,
        "CREATE TABLE nokey (a text, b int4, c text)",
        """
        INSERT INTO nokey VALUES ('x/y', 1, NULL), (NULL, NULL, NULL), ('//', 2, E'\\\\/'), (E'a\\tb"c', 3, 'ü/€')
        """,
        "CREATE TABLE \"Sch\"\"ema\" (\"K/1\" text, k2 int4, v text, PRIMARY KEY (\"K/1\", k2))",
        "INSERT INTO \"Sch\"\"ema\" VALUES ('a/b', 1, 'v'), (E'\\\\', 2, NULL), ('€', 3, E'\\n'), ('😀/x', 4, '😀')",
    };

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.createDatabase();
        try (Connection c = TestDatabase.connect(db); Statement s = c.createStatement()) {
            for (String sql : SETUP) s.execute(sql);
        }
    }

    private static Connection connect() throws Exception {
        Connection c = TestDatabase.connect(db);
        try (Statement s = c.createStatement()) {
            for (String sql : SessionSettings.SET_STATEMENTS) s.execute(sql);
        }
        return c;
    }

    @Test
    void everyTypeFamilyEncodesToTheSameBytesAsTheResultSetPath() throws Exception {
        List<byte[]> rows = assertSameEncoding("types", null, null);
        assertEquals(4, rows.size());
    }

    @Test
    void keysOfTablesWithoutPrimaryKeyAndWithCompositeKeysMatch() throws Exception {
        assertEquals(4, assertSameEncoding("nokey", null, null).size());
        assertEquals(4, assertSameEncoding("Sch\"ema", null, null).size());
    }

    @Test
    void aWhereClauseAndAColumnSubsetGoThroughCopy() throws Exception {
        assertEquals(2, assertSameEncoding("types", "id >= 3", List.of("c_text", "id", "c_big")).size());
    }

    @Test
    void aCopyInTheSnapshotTransactionSeesTheSnapshotNotLaterCommits() throws Exception {
        try (Connection c = connect(); Connection other = connect(); Statement o = other.createStatement()) {
            o.execute("CREATE TABLE seen (id int4 PRIMARY KEY)");
            o.execute("INSERT INTO seen VALUES (1)");
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_snapshot()")) {
                rs.next();
            }
            o.execute("INSERT INTO seen VALUES (2)");
            o.execute("DELETE FROM seen WHERE id = 1");
            CopyOut out = c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT id FROM seen) TO STDOUT");
            List<String> rows = new ArrayList<>();
            byte[] line;
            while ((line = out.readFromCopy()) != null) rows.add(new String(line, StandardCharsets.UTF_8));
            assertEquals(List.of("1\n"), rows);
            c.commit();
        }
    }

    /** Encodes the table both ways and compares; returns the COPY path's messages. */
    private static List<byte[]> assertSameEncoding(String table, String where, List<String> cols) throws Exception {
        try (Connection c = connect()) {
            TableInfo info = CatalogQueries.loadTable(c, new RelationName("public", table)).orElseThrow();
            ShapeDefinition d = ShapeDefinition.create(info, Optional.ofNullable(where), Map.of(), Optional.ofNullable(cols),
                    ShapeDefinition.Replica.DEFAULT, ShapeDefinition.LogMode.FULL);
            List<String> columns = d.columns();
            int[] key = info.primaryKey().stream().mapToInt(columns::indexOf).toArray();
            String order = " ORDER BY " + String.join(", ", info.primaryKey().stream().map(TableInfo::quoteIdent).toList());

            List<byte[]> expected = new ArrayList<>();
            String select = "SELECT " + String.join(", ", columns.stream().map(TableInfo::quoteIdent).toList())
                    + " FROM " + info.quotedName() + d.whereSql().map(w -> " WHERE " + w).orElse("") + order;
            LogItemEncoder encoder = new LogItemEncoder(info);
            String prefix = LogItemEncoder.keyPrefix(info);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(select)) {
                String[] values = new String[columns.size()];
                while (rs.next()) {
                    for (int i = 0; i < values.length; i++) values[i] = rs.getString(i + 1);
                    expected.add(encoder.snapshotRow(RowKeys.key(prefix, values, key), columns, values));
                }
            }

            List<byte[]> actual = new ArrayList<>();
            String copySql = Snapshotter.copySql(d);
            assertTrue(copySql.endsWith(") TO STDOUT"), copySql);
            copySql = copySql.substring(0, copySql.length() - ") TO STDOUT".length()) + order + ") TO STDOUT";
            CopyOut out = c.unwrap(PGConnection.class).getCopyAPI().copyOut(copySql);
            CopyTextRow row = new CopyTextRow(columns.size());
            SnapshotRowWriter writer = new SnapshotRowWriter(info, columns, key);
            SnapshotRowWriter.Sink sink = new SnapshotRowWriter.Sink(64); // small: it must grow for big rows
            writer.target(sink);
            byte[] line;
            int start = 0;
            while ((line = out.readFromCopy()) != null) {
                row.parse(line, 0, line.length);
                int end = writer.write(row);
                actual.add(java.util.Arrays.copyOfRange(sink.array(), start, end));
                start = end;
            }

            assertEquals(expected.size(), actual.size());
            for (int i = 0; i < expected.size(); i++) {
                String want = new String(expected.get(i), StandardCharsets.UTF_8);
                assertArrayEquals(expected.get(i), actual.get(i), () -> "row differs: " + want.substring(0,
                        Math.min(want.length(), 2000)));
            }
            return actual;
        }
    }
}
