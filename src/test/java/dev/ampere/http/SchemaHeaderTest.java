package dev.ampere.http;

import dev.ampere.postgres.CatalogQueries;
import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.RelationName;
import dev.ampere.postgres.TableInfo;
import dev.ampere.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class SchemaHeaderTest {
    static ColumnInfo col(String name, String type, int dims, int typmod, boolean notNull, int pk) {
        return new ColumnInfo(name, 1, 0, type, 0, 'b', dims, typmod, notNull, pk, false);
    }

    static TableInfo table(ColumnInfo... columns) {
        return new TableInfo("public", "t", 1, List.of(columns), List.of(), 'f', 'r');
    }

    @Test
    void typmodArithmetic() {
        TableInfo t = table(
                col("id", "int4", 0, -1, true, 0),
                col("v", "varchar", 0, 14, false, -1),
                col("b", "bpchar", 0, 7, false, -1),
                col("bits", "bit", 0, 4, false, -1),
                col("vb", "varbit", 0, -1, false, -1),
                col("num", "numeric", 0, (10 << 16 | 2) + 4, false, -1),
                col("negscale", "numeric", 0, (5 << 16 | 0xFFFE) + 4, false, -1),
                col("ts", "timestamptz", 0, 3, false, -1),
                col("ts0", "time", 0, 0, false, -1),
                col("iv", "interval", 0, (0x7FFF << 16) | 0xFFFF, false, -1),
                col("iv2", "interval", 0, ((8 | 1024 | 2048 | 4096) << 16) | 2, false, -1),
                col("iv3", "interval", 0, (4 << 16) | 0xFFFF, false, -1),
                col("custom", "mytype", 0, 12, false, -1),
                col("tags", "varchar", 2, 9, true, 1));
        assertEquals("{\"b\":{\"type\":\"bpchar\",\"length\":3},\"bits\":{\"type\":\"bit\",\"length\":4},"
                + "\"custom\":{\"type\":\"mytype\",\"type_mod\":12},"
                + "\"id\":{\"type\":\"int4\",\"pk_index\":0,\"not_null\":true},"
                + "\"iv\":{\"type\":\"interval\"},"
                + "\"iv2\":{\"type\":\"interval\",\"fields\":\"DAY TO SECOND\",\"precision\":2},"
                + "\"iv3\":{\"type\":\"interval\",\"fields\":\"YEAR\"},"
                + "\"negscale\":{\"type\":\"numeric\",\"precision\":5,\"scale\":-2},"
                + "\"num\":{\"type\":\"numeric\",\"precision\":10,\"scale\":2},"
                + "\"tags\":{\"type\":\"varchar\",\"dims\":2,\"pk_index\":1,\"not_null\":true,\"max_length\":5},"
                + "\"ts\":{\"type\":\"timestamptz\",\"precision\":3},"
                + "\"ts0\":{\"type\":\"time\",\"type_mod\":0},"
                + "\"v\":{\"type\":\"varchar\",\"max_length\":10},"
                + "\"vb\":{\"type\":\"varbit\",\"length\":-1}}", SchemaHeader.of(t, null));
    }

    @Test
    void onlySelectedColumnsInCodePointOrder() {
        TableInfo t = table(col("id", "int4", 0, -1, true, 0), col("Zed", "text", 0, -1, false, -1),
                col("a", "text", 0, -1, false, -1), col("\uD83D\uDE00", "text", 0, -1, false, -1),
                col("\uFF21", "text", 0, -1, false, -1), col("has\"quote", "text", 0, -1, false, -1));
        assertEquals("{\"Zed\":{\"type\":\"text\"},\"has\\\"quote\":{\"type\":\"text\"},"
                + "\"id\":{\"type\":\"int4\",\"pk_index\":0,\"not_null\":true},\"\uFF21\":{\"type\":\"text\"},"
                + "\"\uD83D\uDE00\":{\"type\":\"text\"}}",
                SchemaHeader.of(t, Set.of("id", "Zed", "has\"quote", "\uFF21", "\uD83D\uDE00")));
    }

    @Test
    void matchesElectricOnRealCatalogTypmods() throws Exception {
        String db = TestDatabase.createDatabase();
        try (Connection c = TestDatabase.connect(db); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE t (id int PRIMARY KEY, name varchar(10) NOT NULL, code char(3), flags bit(4),
                      vb varbit, amount numeric(10,2), n numeric, ts timestamp(3), ts0 timestamp(0),
                      tsd timestamptz, iv interval, iv2 interval day to second(2), iv3 interval year,
                      tags text[], grid int4[][])""");
            TableInfo t = CatalogQueries.loadTable(c, new RelationName("public", "t")).orElseThrow();
            assertEquals("{\"amount\":{\"type\":\"numeric\",\"precision\":10,\"scale\":2},"
                    + "\"code\":{\"type\":\"bpchar\",\"length\":3},\"flags\":{\"type\":\"bit\",\"length\":4},"
                    + "\"grid\":{\"type\":\"int4\",\"dims\":2},"
                    + "\"id\":{\"type\":\"int4\",\"pk_index\":0,\"not_null\":true},"
                    + "\"iv\":{\"type\":\"interval\"},"
                    + "\"iv2\":{\"type\":\"interval\",\"fields\":\"DAY TO SECOND\",\"precision\":2},"
                    + "\"iv3\":{\"type\":\"interval\",\"fields\":\"YEAR\"},\"n\":{\"type\":\"numeric\"},"
                    + "\"name\":{\"type\":\"varchar\",\"not_null\":true,\"max_length\":10},"
                    + "\"tags\":{\"type\":\"text\",\"dims\":1},\"ts\":{\"type\":\"timestamp\",\"precision\":3},"
                    + "\"ts0\":{\"type\":\"timestamp\",\"type_mod\":0},\"tsd\":{\"type\":\"timestamptz\"},"
                    + "\"vb\":{\"type\":\"varbit\",\"length\":-1}}", SchemaHeader.of(t, null));
        }
    }

    @Test
    void domainsAreReportedByTheirOwnNameAsElectricDoes() throws Exception {
        String db = TestDatabase.createDatabase();
        try (Connection c = TestDatabase.connect(db); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE DOMAIN posint AS int4 CHECK (VALUE > 0);
                    CREATE DOMAIN shortname AS varchar(10);
                    CREATE DOMAIN intlist AS int4[];
                    CREATE TABLE d (id posint PRIMARY KEY, name shortname, many posint[], list intlist, plain int4)""");
            TableInfo t = CatalogQueries.loadTable(c, new RelationName("public", "d")).orElseThrow();
            assertEquals("{\"id\":{\"type\":\"posint\",\"pk_index\":0,\"not_null\":true},"
                    + "\"list\":{\"type\":\"intlist\"},\"many\":{\"type\":\"posint\",\"dims\":1},"
                    + "\"name\":{\"type\":\"shortname\"},\"plain\":{\"type\":\"int4\"}}", SchemaHeader.of(t, null));
            // The where engine and the codec still see the base types; a stored definition keeps the header's names.
            ColumnInfo id = t.column("id").orElseThrow();
            assertEquals("int4", id.typeName());
            ColumnInfo list = t.column("list").orElseThrow();
            assertEquals(1, list.arrayDims());
            dev.ampere.shapes.ShapeDefinition def = dev.ampere.shapes.ShapeDefinition.create(t,
                    java.util.Optional.of("id > 0"), java.util.Map.of(), java.util.Optional.empty(),
                    dev.ampere.shapes.ShapeDefinition.Replica.DEFAULT, dev.ampere.shapes.ShapeDefinition.LogMode.FULL);
            TableInfo decoded = dev.ampere.shapes.ShapeDefinitionCodec.decode(
                    dev.ampere.shapes.ShapeDefinitionCodec.encode(def)).table();
            assertEquals(SchemaHeader.of(t, null), SchemaHeader.of(decoded, null));
        }
    }
}
