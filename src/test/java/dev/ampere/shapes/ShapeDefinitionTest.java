package dev.ampere.shapes;

import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.TableInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.ampere.shapes.ShapeDefinition.LogMode;
import static dev.ampere.shapes.ShapeDefinition.Replica.DEFAULT;
import static dev.ampere.shapes.ShapeDefinition.Replica.FULL;
import static dev.ampere.shapes.ShapeFixtures.ITEMS;
import static dev.ampere.shapes.ShapeFixtures.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shape definitions (docs/protocol.md §2.3, §2.6) and the router's packed match facts. */
class ShapeDefinitionTest {

    private static ShapeDefinitionException columnsError(TableInfo t, List<String> columns) {
        return assertThrows(ShapeDefinitionException.class, () -> shape(t, null, columns, DEFAULT));
    }

    @Test
    void withoutColumnsEveryColumnIsSelected() {
        ShapeDefinition d = shape(ITEMS, null, null, DEFAULT);
        assertEquals(List.of("id", "title", "n", "body"), d.columns());
        assertFalse(d.explicitColumns());
        assertTrue(d.where().isEmpty());
        assertEquals(Optional.empty(), d.whereSql());
    }

    @Test
    void requestedColumnsAreKeptInTableOrder() {
        ShapeDefinition d = shape(ITEMS, null, List.of("body", "id"), DEFAULT);
        assertEquals(List.of("id", "body"), d.columns());
        assertTrue(d.explicitColumns());
    }

    @Test
    void columnsMustExistIncludeTheKeyAndNotBeGenerated() {
        ShapeDefinitionException unknown = columnsError(ITEMS, List.of("id", "nope", "zip"));
        assertEquals("columns", unknown.field());
        assertEquals("The following columns are not found on the table: nope, zip", unknown.getMessage());
        assertEquals("The list of columns must include all primary key columns, missing: id",
                columnsError(ITEMS, List.of("title")).getMessage());
        assertEquals("must not be empty", columnsError(ITEMS, List.of()).getMessage());

        List<ColumnInfo> cols = new ArrayList<>(ITEMS.columns());
        ColumnInfo n = cols.get(2);
        cols.set(2, new ColumnInfo(n.name(), n.attnum(), n.typeOid(), n.typeName(), n.baseTypeOid(), n.typeKind(),
                n.arrayDims(), n.typeMod(), n.notNull(), n.pkIndex(), true));
        TableInfo generated = new TableInfo("public", "items", ShapeFixtures.OID, cols, List.of("id"), 'f', 'r');
        assertEquals("The following columns are generated and cannot be included in the shape: n",
                columnsError(generated, List.of("id", "n")).getMessage());
    }

    @Test
    void aTableWithoutPrimaryKeyNeedsEveryColumn() {
        TableInfo nopk = ShapeFixtures.table("public", "log", 8, List.of("at", "msg"), "at:int8", "msg:text");
        assertEquals("The list of columns must include all primary key columns, missing: msg",
                columnsError(nopk, List.of("at")).getMessage());
    }

    @Test
    void cosmeticWhereDifferencesShareTheCanonicalForm() {
        ShapeDefinition a = shape(ITEMS, "n > 10", null, DEFAULT);
        ShapeDefinition b = shape(ITEMS, "  (N>10) ", null, DEFAULT);
        assertEquals(a.canonical(), b.canonical());
        assertEquals(a.newHandle(1), b.newHandle(1));
        assertNotEquals(a.canonical(), shape(ITEMS, "n > 11", null, DEFAULT).canonical());
        assertNotEquals(a.canonical(), shape(ITEMS, "n > 10", null, FULL).canonical());
        assertNotEquals(a.canonical(), shape(ITEMS, "n > 10", List.of("id", "n"), DEFAULT).canonical());
    }

    @Test
    void theKeyFollowsTheCanonicalForm() {
        ShapeDefinition a = shape(ITEMS, "n > 10", null, DEFAULT);
        assertEquals(a.key(), shape(ITEMS, "  (N>10) ", null, DEFAULT).key());
        assertNotEquals(a.key(), shape(ITEMS, "n > 11", null, DEFAULT).key());
        assertNotEquals(a.key(), shape(ITEMS, "n > 10", null, FULL).key());
        assertNotEquals(a.key(), shape(ITEMS, "n > 10", List.of("id", "n"), DEFAULT).key());
        // The handle's hash is the key's first 27 bits: the same handle from the definition and from its key.
        assertEquals(a.newHandle(7), ShapeDefinition.newHandle(a.key(), 7));
        assertEquals(a.newHandle(7).split("-")[0], Integer.toString((int) (a.key().high() >>> 32) & 0x7FF_FFFF));
    }

    /** What many shapes of one table have in common is kept once: an idle shape's definition costs little heap. */
    @Test
    void shapesOfOneTableShareTheirColumnListsAndRecoveredTableMetadata() {
        ShapeDefinition a = shape(ITEMS, "n > 10", null, DEFAULT);
        ShapeDefinition b = shape(ITEMS, "n > 11", null, DEFAULT);
        assertSame(a.columns(), b.columns());
        assertSame(shape(ITEMS, "n > 1", List.of("id", "n"), DEFAULT).columns(),
                shape(ITEMS, "n > 2", List.of("n", "id"), DEFAULT).columns());
        ShapeDefinition ra = ShapeDefinitionCodec.decode(ShapeDefinitionCodec.encode(a));
        ShapeDefinition rb = ShapeDefinitionCodec.decode(ShapeDefinitionCodec.encode(b));
        assertEquals(a.table(), ra.table());
        assertSame(ra.table(), rb.table());
        assertSame(a.columns(), ra.columns());
        assertEquals(a.key(), ra.key());
    }

    @Test
    void paramsOnlyCountWithAWhereClause() {
        ShapeDefinition with = ShapeDefinition.create(ITEMS, Optional.of("n > $1"), Map.of("1", "10"),
                Optional.empty(), DEFAULT, LogMode.FULL);
        assertEquals(Map.of("1", "10"), with.params());
        ShapeDefinition without = ShapeDefinition.create(ITEMS, Optional.empty(), Map.of("1", "10"),
                Optional.empty(), DEFAULT, LogMode.FULL);
        assertEquals(Map.of(), without.params());
        assertEquals(shape(ITEMS, null, null, DEFAULT).canonical(), without.canonical());
    }

    @Test
    void handlesAreAHashDashMicros() {
        String handle = shape(ITEMS, null, null, DEFAULT).newHandle(1_700_000_000_000_000L);
        assertTrue(handle.matches("\\d{1,9}-1700000000000000"), handle);
        assertTrue(Long.parseLong(handle.substring(0, handle.indexOf('-'))) < (1L << 27));
    }

    @Test
    void matchPacksPositionAndFacts() {
        for (int pos : new int[]{0, 1, 7, 1000, (1 << 29) - 1}) {
            for (boolean oldIn : new boolean[]{false, true}) {
                for (boolean newIn : new boolean[]{false, true}) {
                    int m = ConsumerMessages.match(pos, oldIn, newIn);
                    assertEquals(pos, ConsumerMessages.position(m));
                    assertEquals(oldIn, ConsumerMessages.oldIn(m));
                    assertEquals(newIn, ConsumerMessages.newIn(m));
                }
            }
        }
        // Ascending positions stay ascending when packed.
        assertTrue(ConsumerMessages.match(1, true, true) < ConsumerMessages.match(2, false, false));
    }
}
