package dev.ampere.shapes;

import dev.ampere.changes.Change;
import dev.ampere.postgres.TableInfo;
import dev.ampere.shapecache.storage.LogItem;
import dev.ampere.shapecache.storage.Operation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.ampere.shapes.ShapeDefinition.Replica.DEFAULT;
import static dev.ampere.shapes.ShapeDefinition.Replica.FULL;
import static dev.ampere.shapes.ShapeFixtures.ITEMS;
import static dev.ampere.shapes.ShapeFixtures.assertJson;
import static dev.ampere.shapes.ShapeFixtures.facts;
import static dev.ampere.shapes.ShapeFixtures.j;
import static dev.ampere.shapes.ShapeFixtures.row;
import static dev.ampere.shapes.ShapeFixtures.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Change conversion, value by value and byte by byte: replica modes, moves across the where clause, column
 * projection and primary-key changes (docs/protocol.md §1.11, §1.12). The where clause is {@code n > 10}; the router
 * facts passed in are computed with it ({@link ShapeFixtures#facts}), as the log collector's router does.
 */
class ShapeChangeConverterTest {
    private static final long LSN = 23_803_720L;
    private static final long XID = 777;
    private static final String WHERE = "n > 10";

    /** Keys as they appear inside a JSON string, in {@link ShapeFixtures#j} notation. */
    private static final String K1 = "\\'public\\'.\\'items\\'/\\'1\\'";
    private static final String K2 = "\\'public\\'.\\'items\\'/\\'2\\'";

    private static final ShapeDefinition DEFAULT_SHAPE = shape(ITEMS, WHERE, null, DEFAULT);
    private static final ShapeDefinition FULL_SHAPE = shape(ITEMS, WHERE, null, FULL);

    private final ShapeFixtures.Tx tx = new ShapeFixtures.Tx(ITEMS, LSN);

    /** The headers of a change in this transaction, without their closing brace. */
    private static String headers(String operation, long opPosition) {
        return "'headers':{'operation':'" + operation + "','relation':['public','items'],'lsn':'23803720',"
                + "'op_position':" + opPosition + ",'txids':[777]";
    }

    private static List<LogItem> convert(ShapeDefinition shape, Change change) {
        boolean[] f = facts(shape, change);
        return convert(shape, change, f[0], f[1]);
    }

    private static List<LogItem> convert(ShapeDefinition shape, Change change, boolean oldIn, boolean newIn) {
        List<LogItem> out = new ArrayList<>();
        new ShapeChangeConverter(shape).convert(change, oldIn, newIn, LSN, XID, out);
        return out;
    }

    private static LogItem only(List<LogItem> items) {
        assertEquals(1, items.size(), () -> "items: " + ShapeFixtures.jsons(items));
        return items.getFirst();
    }

    // ---- inserts ----

    @Test
    void insertCarriesTheFullRowWithNullsAsJsonNull() {
        Change.Insert c = tx.insert("1", "a/b", "20", null);
        LogItem item = only(convert(DEFAULT_SHAPE, c));
        assertJson("{\"key\":\"\\\"public\\\".\\\"items\\\"/\\\"1\\\"\",\"value\":{\"id\":\"1\",\"title\":\"a/b\","
                + "\"n\":\"20\",\"body\":null},\"headers\":{\"operation\":\"insert\",\"relation\":[\"public\",\"items\"],"
                + "\"lsn\":\"23803720\",\"op_position\":0,\"txids\":[777]}}", item.json());
        assertEquals("23803720_0", item.offset().toString());
        assertEquals("\"public\".\"items\"/\"1\"", item.key());
        assertEquals(Operation.INSERT, item.operation());
    }

    @Test
    void insertIsTheSameInFullMode() {
        Change.Insert c = tx.insert("1", "a", "20", "b");
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1','title':'a','n':'20','body':'b'},"
                + headers("insert", 0) + "}}"), only(convert(FULL_SHAPE, c)).json());
    }

    @Test
    void insertOutsideTheWhereProducesNothing() {
        Change.Insert c = tx.insert("1", "a", "5", null);
        assertEquals(List.of(), convert(DEFAULT_SHAPE, c));
    }

    @Test
    void slashInAKeyValueIsDoubledInTheKey() {
        Change.Insert c = tx.insert("1/2", null, "11", null);
        LogItem item = only(convert(DEFAULT_SHAPE, c));
        assertEquals("\"public\".\"items\"/\"1//2\"", item.key());
        assertJson(j("{'key':'\\'public\\'.\\'items\\'/\\'1//2\\'','value':{'id':'1/2','title':null,'n':'11',"
                + "'body':null}," + headers("insert", 0) + "}}"), item.json());
    }

    // ---- updates ----

    @Test
    void updateDefaultCarriesTheKeyAndTheChangedColumnsOnly() {
        Change.Update c = tx.update(row("1", "a", "20", "x"), row("1", "b", "21", "x"));
        LogItem item = only(convert(DEFAULT_SHAPE, c));
        assertJson("{\"key\":\"\\\"public\\\".\\\"items\\\"/\\\"1\\\"\",\"value\":{\"id\":\"1\",\"title\":\"b\","
                + "\"n\":\"21\"},\"headers\":{\"operation\":\"update\",\"relation\":[\"public\",\"items\"],"
                + "\"lsn\":\"23803720\",\"op_position\":0,\"txids\":[777]}}", item.json());
        assertEquals(Operation.UPDATE, item.operation());
        assertEquals("23803720_0", item.offset().toString());
    }

    @Test
    void updateFullCarriesTheNewRowAndOldValuesOfChangedColumns() {
        Change.Update c = tx.update(row("1", "a", "20", "x"), row("1", "b", "21", "x"));
        assertJson("{\"key\":\"\\\"public\\\".\\\"items\\\"/\\\"1\\\"\",\"value\":{\"id\":\"1\",\"title\":\"b\","
                + "\"n\":\"21\",\"body\":\"x\"},\"old_value\":{\"title\":\"a\",\"n\":\"20\"},\"headers\":{"
                + "\"operation\":\"update\",\"relation\":[\"public\",\"items\"],\"lsn\":\"23803720\","
                + "\"op_position\":0,\"txids\":[777]}}", only(convert(FULL_SHAPE, c)).json());
    }

    @Test
    void updateToNullWritesJsonNullAndTheOldValue() {
        Change.Update toNull = tx.update(row("1", "a", "20", "x"), row("1", null, "20", "x"));
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1','title':null}," + headers("update", 0) + "}}"),
                only(convert(DEFAULT_SHAPE, toNull)).json());
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1','title':null,'n':'20','body':'x'},"
                + "'old_value':{'title':'a'}," + headers("update", 0) + "}}"), only(convert(FULL_SHAPE, toNull)).json());

        Change.Update fromNull = tx.update(row("1", null, "20", "x"), row("1", "t", "20", "x"));
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1','title':'t','n':'20','body':'x'},"
                + "'old_value':{'title':null}," + headers("update", 2) + "}}"), only(convert(FULL_SHAPE, fromNull)).json());
    }

    @Test
    void unchangedToastValueFilledFromTheOldRowIsNotAChange() {
        // The WAL side fills an unchanged TOASTed column of the new tuple from the old row (REPLICA IDENTITY FULL,
        // §1.12), so the update reaches the shape with the real text and without that column among the changed ones.
        String big = "B".repeat(3000);
        Change.Update c = tx.update(row("1", "a", "20", big), row("1", "b", "20", big));
        assertEquals(List.of("title"), c.changedColumns());
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1','title':'b'}," + headers("update", 0) + "}}"),
                only(convert(DEFAULT_SHAPE, c)).json());
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1','title':'b','n':'20','body':'" + big + "'},"
                + "'old_value':{'title':'a'}," + headers("update", 0) + "}}"), only(convert(FULL_SHAPE, c)).json());
    }

    @Test
    void updateWithoutOldDataCountsEveryColumnAsChanged() {
        Change.Update c = tx.updateWithoutOld("1", "b", "20", null);
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1','title':'b','n':'20','body':null},"
                + headers("update", 0) + "}}"), only(convert(DEFAULT_SHAPE, c)).json());
    }

    @Test
    void updateChangingNothingIsDropped() {
        // §1.12: with all columns selected and no where clause, a no-op update is dropped too.
        ShapeDefinition everything = shape(ITEMS, null, null, DEFAULT);
        Change.Update c = tx.update(row("1", "a", "20", "x"), row("1", "a", "20", "x"));
        assertEquals(List.of(), convert(everything, c));
        assertEquals(List.of(), convert(shape(ITEMS, null, null, FULL), c));
    }

    // ---- deletes ----

    @Test
    void deleteDefaultCarriesTheKeyOnly() {
        Change.Delete c = tx.delete("1", "a", "20", null);
        LogItem item = only(convert(DEFAULT_SHAPE, c));
        assertJson("{\"key\":\"\\\"public\\\".\\\"items\\\"/\\\"1\\\"\",\"value\":{\"id\":\"1\"},\"headers\":{"
                + "\"operation\":\"delete\",\"relation\":[\"public\",\"items\"],\"lsn\":\"23803720\","
                + "\"op_position\":0,\"txids\":[777]}}", item.json());
        assertEquals(Operation.DELETE, item.operation());
    }

    @Test
    void deleteFullCarriesTheWholeOldRow() {
        Change.Delete c = tx.delete("1", "a", "20", null);
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1','title':'a','n':'20','body':null},"
                + headers("delete", 0) + "}}"), only(convert(FULL_SHAPE, c)).json());
    }

    @Test
    void deleteOfARowOutsideTheWhereProducesNothing() {
        assertEquals(List.of(), convert(DEFAULT_SHAPE, tx.delete("1", "a", "5", null)));
    }

    // ---- moves across the where clause ----

    @Test
    void oldInNewOutIsADelete() {
        Change.Update c = tx.update(row("1", "a", "20", "x"), row("1", "a", "5", "x"));
        assertArrayEquals(new boolean[]{true, false}, facts(DEFAULT_SHAPE, c));
        LogItem item = only(convert(DEFAULT_SHAPE, c));
        assertEquals(Operation.DELETE, item.operation());
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1'}," + headers("delete", 0) + "}}"), item.json());
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1','title':'a','n':'20','body':'x'},"
                + headers("delete", 0) + "}}"), only(convert(FULL_SHAPE, c)).json());
    }

    @Test
    void oldOutNewInIsAnInsertWithTheFullRow() {
        Change.Update c = tx.update(row("1", "a", "5", "x"), row("1", "a", "20", "x"));
        assertArrayEquals(new boolean[]{false, true}, facts(DEFAULT_SHAPE, c));
        String expected = j("{'key':'" + K1 + "','value':{'id':'1','title':'a','n':'20','body':'x'},"
                + headers("insert", 0) + "}}");
        LogItem item = only(convert(DEFAULT_SHAPE, c));
        assertEquals(Operation.INSERT, item.operation());
        assertJson(expected, item.json());
        assertJson(expected, only(convert(FULL_SHAPE, c)).json()); // no old_value on an insert
    }

    @Test
    void neitherInProducesNothing() {
        Change.Update c = tx.update(row("1", "a", "5", "x"), row("1", "b", "6", "y"));
        assertArrayEquals(new boolean[]{false, false}, facts(DEFAULT_SHAPE, c));
        assertEquals(List.of(), convert(DEFAULT_SHAPE, c));
        assertEquals(List.of(), convert(FULL_SHAPE, c));
    }

    @Test
    void bothInIsAnUpdate() {
        Change.Update c = tx.update(row("1", "a", "20", "x"), row("1", "a", "30", "x"));
        assertArrayEquals(new boolean[]{true, true}, facts(DEFAULT_SHAPE, c));
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1','n':'30'}," + headers("update", 0) + "}}"),
                only(convert(DEFAULT_SHAPE, c)).json());
    }

    @Test
    void theConverterActsOnTheFactsAndNeverReevaluatesTheWhere() {
        // Facts contrary to the clause are obeyed: the router alone decides membership.
        Change.Update c = tx.update(row("1", "a", "5", "x"), row("1", "a", "6", "x"));
        assertEquals(Operation.UPDATE, only(convert(DEFAULT_SHAPE, c, true, true)).operation());
        assertEquals(Operation.DELETE, only(convert(DEFAULT_SHAPE, c, true, false)).operation());
        assertEquals(Operation.INSERT, only(convert(DEFAULT_SHAPE, c, false, true)).operation());
    }

    // ---- column projection ----

    @Test
    void projectionKeepsOnlySelectedColumnsInValues() {
        ShapeDefinition d = shape(ITEMS, WHERE, List.of("n", "id"), DEFAULT);
        ShapeDefinition f = shape(ITEMS, WHERE, List.of("n", "id"), FULL);
        assertEquals(List.of("id", "n"), d.columns()); // table order, whatever the request's order
        Change.Insert ins = tx.insert("1", "a", "20", "x");
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1','n':'20'}," + headers("insert", 0) + "}}"),
                only(convert(d, ins)).json());
        Change.Update upd = tx.update(row("1", "a", "20", "x"), row("1", "b", "21", "y"));
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1','n':'21'}," + headers("update", 2) + "}}"),
                only(convert(d, upd)).json());
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1','n':'21'},'old_value':{'n':'20'},"
                + headers("update", 2) + "}}"), only(convert(f, upd)).json());
        Change.Delete del = tx.delete("1", "b", "21", "y");
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1'}," + headers("delete", 4) + "}}"),
                only(convert(d, del)).json());
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1','n':'21'}," + headers("delete", 4) + "}}"),
                only(convert(f, del)).json());
    }

    @Test
    void updateTouchingOnlyUnselectedColumnsIsDropped() {
        ShapeDefinition d = shape(ITEMS, WHERE, List.of("id", "n"), DEFAULT);
        Change.Update c = tx.update(row("1", "a", "20", "x"), row("1", "b", "20", "y"));
        assertEquals(List.of("title", "body"), c.changedColumns());
        assertEquals(List.of(), convert(d, c));
        assertEquals(List.of(), convert(shape(ITEMS, WHERE, List.of("id", "n"), FULL), c));
    }

    @Test
    void moveInUnderProjectionInsertsTheSelectedColumns() {
        ShapeDefinition d = shape(ITEMS, WHERE, List.of("id", "n"), DEFAULT);
        Change.Update c = tx.update(row("1", "a", "5", "x"), row("1", "a", "11", "x"));
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1','n':'11'}," + headers("insert", 0) + "}}"),
                only(convert(d, c)).json());
    }

    // ---- primary-key changes ----

    @Test
    void keyChangeIsADeleteAtOpAndAnInsertAtOpPlusOne() {
        tx.insert("9", null, "20", null); // op 0: the key change is the transaction's second change, op 2
        Change.Update c = tx.update(row("1", "a", "20", "x"), row("2", "a", "20", "x"));
        assertTrue(c.keyChanged());
        List<LogItem> items = convert(DEFAULT_SHAPE, c);
        assertEquals(2, items.size());
        LogItem delete = items.get(0);
        LogItem insert = items.get(1);
        assertEquals("23803720_2", delete.offset().toString());
        assertEquals("23803720_3", insert.offset().toString());
        assertEquals("\"public\".\"items\"/\"1\"", delete.key());
        assertEquals("\"public\".\"items\"/\"2\"", insert.key());
        assertEquals(Operation.DELETE, delete.operation());
        assertEquals(Operation.INSERT, insert.operation());
        assertJson("{\"key\":\"\\\"public\\\".\\\"items\\\"/\\\"1\\\"\",\"value\":{\"id\":\"1\"},\"headers\":{"
                + "\"operation\":\"delete\",\"relation\":[\"public\",\"items\"],\"lsn\":\"23803720\","
                + "\"op_position\":2,\"txids\":[777],\"key_change_to\":\"\\\"public\\\".\\\"items\\\"/\\\"2\\\"\"}}",
                delete.json());
        assertJson("{\"key\":\"\\\"public\\\".\\\"items\\\"/\\\"2\\\"\",\"value\":{\"id\":\"2\",\"title\":\"a\","
                + "\"n\":\"20\",\"body\":\"x\"},\"headers\":{\"operation\":\"insert\",\"relation\":[\"public\",\"items\"],"
                + "\"lsn\":\"23803720\",\"op_position\":3,\"txids\":[777],"
                + "\"key_change_from\":\"\\\"public\\\".\\\"items\\\"/\\\"1\\\"\"}}", insert.json());
    }

    @Test
    void keyChangeInFullModeDeletesTheWholeOldRow() {
        Change.Update c = tx.update(row("1", "a", "20", "x"), row("2", "b", "20", "x"));
        List<LogItem> items = convert(FULL_SHAPE, c);
        assertEquals(List.of(
                j("{'key':'" + K1 + "','value':{'id':'1','title':'a','n':'20','body':'x'},"
                        + headers("delete", 0) + ",'key_change_to':'" + K2 + "'}}"),
                j("{'key':'" + K2 + "','value':{'id':'2','title':'b','n':'20','body':'x'},"
                        + headers("insert", 1) + ",'key_change_from':'" + K1 + "'}}")), ShapeFixtures.jsons(items));
    }

    @Test
    void keyChangeLeavingTheShapeIsAPlainDeleteOfTheOldKey() {
        Change.Update c = tx.update(row("1", "a", "20", "x"), row("2", "a", "5", "x"));
        LogItem item = only(convert(DEFAULT_SHAPE, c));
        assertEquals("23803720_0", item.offset().toString());
        assertJson(j("{'key':'" + K1 + "','value':{'id':'1'}," + headers("delete", 0) + "}}"), item.json());
    }

    @Test
    void keyChangeEnteringTheShapeIsAPlainInsertOfTheNewKey() {
        Change.Update c = tx.update(row("1", "a", "5", "x"), row("2", "a", "20", "x"));
        LogItem item = only(convert(DEFAULT_SHAPE, c));
        assertEquals("23803720_0", item.offset().toString());
        assertJson(j("{'key':'" + K2 + "','value':{'id':'2','title':'a','n':'20','body':'x'},"
                + headers("insert", 0) + "}}"), item.json());
    }

    @Test
    void keyChangeIsEmittedEvenWhenNoSelectedNonKeyColumnChanged() {
        ShapeDefinition d = shape(ITEMS, WHERE, List.of("id", "n"), DEFAULT);
        Change.Update c = tx.update(row("1", "a", "20", "x"), row("2", "a", "20", "x"));
        assertEquals(List.of("23803720_0", "23803720_1"), ShapeFixtures.offsets(convert(d, c)));
    }

    // ---- keys of other tables ----

    @Test
    void compositeKeyInKeyOrderWithSlashesDoubledAndValuesInTableOrder() {
        TableInfo pairs = ShapeFixtures.table("public", "pairs", 7, List.of("b", "a"), "a:text", "b:text", "v:int4");
        ShapeDefinition d = shape(pairs, null, null, DEFAULT);
        ShapeFixtures.Tx t = new ShapeFixtures.Tx(pairs, LSN);
        LogItem ins = only(convert(d, t.insert("x/y", "p", "1")));
        assertEquals("\"public\".\"pairs\"/\"p\"/\"x//y\"", ins.key());
        assertJson(j("{'key':'\\'public\\'.\\'pairs\\'/\\'p\\'/\\'x//y\\'','value':{'a':'x/y','b':'p','v':'1'},"
                + "'headers':{'operation':'insert','relation':['public','pairs'],'lsn':'23803720','op_position':0,"
                + "'txids':[777]}}"), ins.json());
        // §1.12: columns appear in value in table order, also the key columns of a default-mode delete.
        LogItem del = only(convert(d, t.delete("x/y", "p", "1")));
        assertJson(j("{'key':'\\'public\\'.\\'pairs\\'/\\'p\\'/\\'x//y\\'','value':{'a':'x/y','b':'p'},"
                + "'headers':{'operation':'delete','relation':['public','pairs'],'lsn':'23803720','op_position':2,"
                + "'txids':[777]}}"), del.json());
        // Likewise the delete half of a key change, and an update's key columns among the changed ones.
        List<LogItem> change = convert(d, t.update(row("x/y", "p", "1"), row("x/y", "q", "2")));
        assertJson(j("{'key':'\\'public\\'.\\'pairs\\'/\\'p\\'/\\'x//y\\'','value':{'a':'x/y','b':'p'},"
                + "'headers':{'operation':'delete','relation':['public','pairs'],'lsn':'23803720','op_position':4,"
                + "'txids':[777],'key_change_to':'\\'public\\'.\\'pairs\\'/\\'q\\'/\\'x//y\\''}}"),
                change.get(0).json());
        LogItem upd = only(convert(d, t.update(row("x/y", "q", "2"), row("x/y", "q", "3"))));
        assertJson(j("{'key':'\\'public\\'.\\'pairs\\'/\\'q\\'/\\'x//y\\'','value':{'a':'x/y','b':'q','v':'3'},"
                + "'headers':{'operation':'update','relation':['public','pairs'],'lsn':'23803720','op_position':6,"
                + "'txids':[777]}}"), upd.json());
    }

    @Test
    void tableWithoutPrimaryKeyUsesEveryColumnAndNullPartsAreUnderscores() {
        // §2.3: all columns form the key; §1.11: a NULL part is a bare _.
        TableInfo nopk = ShapeFixtures.table("public", "log", 8, List.of("at", "msg"), "at:int8", "msg:text");
        ShapeDefinition d = shape(nopk, null, null, DEFAULT);
        LogItem ins = only(convert(d, new ShapeFixtures.Tx(nopk, LSN).insert("5", null)));
        assertEquals("\"public\".\"log\"/\"5\"/_", ins.key());
        assertJson(j("{'key':'\\'public\\'.\\'log\\'/\\'5\\'/_','value':{'at':'5','msg':null},"
                + "'headers':{'operation':'insert','relation':['public','log'],'lsn':'23803720','op_position':0,"
                + "'txids':[777]}}"), ins.json());
    }

    @Test
    void truncateIsNotConvertible() {
        assertThrows(IllegalArgumentException.class,
                () -> convert(DEFAULT_SHAPE, tx.truncate(), false, false));
    }
}
