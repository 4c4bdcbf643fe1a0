package dev.ampere.postgres.wal;

import dev.ampere.changes.Change;
import dev.ampere.changes.Relation;
import dev.ampere.changes.Row;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every type family through real pgoutput, with the display settings of the replication session. */
class WalReaderTypesTest {

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
          c_posint posint, c_pair pair, c_big text)
        """,
        "ALTER TABLE types REPLICA IDENTITY FULL",
        "CREATE PUBLICATION pub_types FOR TABLE types",
    };

    @Test
    void everyTypeFamilyDecodesAsPostgresTextOutputWithDisplaySettings() throws Exception {
        try (ReplicationFixture fx = new ReplicationFixture(SETUP)) {
            fx.createSlot();
            // pgjdbc sends the JVM's zone as TimeZone at startup: the reader's session must still show UTC.
            java.util.TimeZone jvmZone = java.util.TimeZone.getDefault();
            java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("Asia/Tokyo"));
            try {
                fx.start(fx.options("pub_types"));
            } finally {
                java.util.TimeZone.setDefault(jvmZone);
            }
            fx.exec("""
                INSERT INTO types VALUES (1, -32768, 9223372036854775807, 12345.678900, 1.5, 1.0/3,
                  'NaN', 'Infinity', '-Infinity', 'héllo "q" / \\ ünï', 'v', 'ab', true,
                  '\\x0102ff', '{"b": 2,  "a": 1}', '{"b": 2, "a": 1}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
                  '2024-03-04', '13:14:15.25', '2024-03-04 05:06:07.5', '2024-03-04 05:06:07+02',
                  '1 year 2 months 3 days 04:05:06', '{1,2,3}', '{{a,"b c"},{NULL,d}}', 'happy', 5, ROW(7, 'x y'),
                  (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 1000) i))
                """);
            fx.exec("INSERT INTO types (id) VALUES (2)");

            Change.Insert ins = (Change.Insert) fx.nextTx().changes().getFirst();
            Row row = ins.record();
            Map<String, String> expected = new LinkedHashMap<>();
            expected.put("id", "1");
            expected.put("c_int2", "-32768");
            expected.put("c_int8", "9223372036854775807");
            expected.put("c_numeric", "12345.678900");
            expected.put("c_float4", "1.5");
            expected.put("c_float8", "0.3333333333333333"); // extra_float_digits > 0: shortest exact form
            expected.put("c_nan", "NaN");
            expected.put("c_inf", "Infinity");
            expected.put("c_ninf", "-Infinity");
            expected.put("c_text", "héllo \"q\" / \\ ünï");
            expected.put("c_varchar", "v");
            expected.put("c_bpchar", "ab   ");
            expected.put("c_bool", "t");
            expected.put("c_bytea", "\\x0102ff");
            expected.put("c_json", "{\"b\": 2,  \"a\": 1}");
            expected.put("c_jsonb", "{\"a\": 1, \"b\": 2}");
            expected.put("c_uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
            expected.put("c_date", "2024-03-04");
            expected.put("c_time", "13:14:15.25");
            expected.put("c_timestamp", "2024-03-04 05:06:07.5");
            expected.put("c_timestamptz", "2024-03-04 03:06:07+00");
            expected.put("c_interval", "P1Y2M3DT4H5M6S");
            expected.put("c_int_array", "{1,2,3}");
            expected.put("c_text_2d", "{{a,\"b c\"},{NULL,d}}");
            expected.put("c_mood", "happy");
            expected.put("c_posint", "5");
            expected.put("c_pair", "(7,\"x y\")");
            for (Map.Entry<String, String> e : expected.entrySet()) {
                assertEquals(e.getValue(), row.value(e.getKey()), e.getKey());
            }
            String big = row.value("c_big");
            assertEquals(32_000, big.length());
            assertEquals("\"public\".\"types\"/\"1\"", ins.key());

            Relation rel = ins.relation();
            assertEquals(Integer.parseInt(fx.queryString("SELECT 'posint'::regtype::oid")),
                    rel.columns().get(rel.columnIndex("c_posint")).typeOid(), "a domain column reports the domain's oid");
            assertEquals(Integer.parseInt(fx.queryString("SELECT 'mood'::regtype::oid")),
                    rel.columns().get(rel.columnIndex("c_mood")).typeOid());
            assertEquals(1007, rel.columns().get(rel.columnIndex("c_int_array")).typeOid());
            assertEquals(1184, rel.columns().get(rel.columnIndex("c_timestamptz")).typeOid());

            Row nulls = ((Change.Insert) fx.nextTx().changes().getFirst()).record();
            assertEquals("2", nulls.value("id"));
            for (int i = 1; i < nulls.size(); i++) assertNull(nulls.value(i), nulls.columnNames().get(i));

            // The TOASTed value is unchanged: pgoutput sends 'u' for it and the old row fills it in.
            fx.exec("UPDATE types SET c_text = 'changed' WHERE id = 1");
            Change.Update upd = (Change.Update) fx.nextTx().changes().getFirst();
            assertEquals(big, upd.record().value("c_big"));
            assertEquals(List.of("c_text"), upd.changedColumns());
            assertEquals("changed", upd.record().value("c_text"));
            assertEquals("héllo \"q\" / \\ ünï", upd.oldRecord().value("c_text"));
            assertNull(upd.oldKey());

            fx.exec("DELETE FROM types WHERE id = 1");
            Change.Delete del = (Change.Delete) fx.nextTx().changes().getFirst();
            assertEquals("\"public\".\"types\"/\"1\"", del.key());
            assertEquals(big, del.oldRecord().value("c_big"));
            assertTrue(del.oldRecord().value("c_pair").startsWith("(7,"));
        }
    }
}
