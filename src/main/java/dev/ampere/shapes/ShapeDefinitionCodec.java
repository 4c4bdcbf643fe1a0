package dev.ampere.shapes;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.TableInfo;
import dev.ampere.where.WhereClause;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stores a shape definition with the table metadata it was made against, and reads it back after a restart. The
 * where clause is stored as text and compiled again against the stored metadata (not the live schema, which may
 * have moved on; a mismatch then surfaces as a relation change and invalidates the shape), as Electric does.
 *
 * <p>Stateless; thread-safe.
 */
public final class ShapeDefinitionCodec {
    private static final JsonFactory JSON = new JsonFactory();
    private static final int FORMAT = 1;

    private ShapeDefinitionCodec() {}

    public static byte[] encode(ShapeDefinition d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("format", FORMAT);
            writeTable(g, d.table());
            if (d.where().isPresent()) g.writeStringField("where", d.where().get().text());
            g.writeObjectFieldStart("params");
            for (var e : d.params().entrySet()) g.writeStringField(e.getKey(), e.getValue());
            g.writeEndObject();
            g.writeArrayFieldStart("columns");
            for (String c : d.columns()) g.writeString(c);
            g.writeEndArray();
            g.writeBooleanField("explicit_columns", d.explicitColumns());
            g.writeStringField("replica", d.replica().name());
            g.writeStringField("log", d.log().name());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeTable(JsonGenerator g, TableInfo t) throws IOException {
        g.writeObjectFieldStart("table");
        g.writeStringField("schema", t.schema());
        g.writeStringField("name", t.name());
        g.writeNumberField("oid", t.oid() & 0xFFFFFFFFL);
        g.writeStringField("replica_identity", String.valueOf(t.replicaIdentity()));
        g.writeStringField("kind", String.valueOf(t.kind()));
        g.writeArrayFieldStart("primary_key");
        for (String k : t.primaryKey()) g.writeString(k);
        g.writeEndArray();
        g.writeArrayFieldStart("columns");
        for (ColumnInfo c : t.columns()) {
            g.writeStartArray();
            g.writeString(c.name());
            g.writeNumber(c.attnum());
            g.writeNumber(c.typeOid() & 0xFFFFFFFFL);
            g.writeString(c.typeName());
            g.writeNumber(c.baseTypeOid() & 0xFFFFFFFFL);
            g.writeString(String.valueOf(c.typeKind()));
            g.writeNumber(c.arrayDims());
            g.writeNumber(c.typeMod());
            g.writeBoolean(c.notNull());
            g.writeNumber(c.pkIndex());
            g.writeBoolean(c.generated());
            g.writeString(c.schemaType());
            g.writeNumber(c.schemaDims());
            g.writeEndArray();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** Recovered shapes of one table share one copy of its metadata (as shapes defined over HTTP do). */
    private static final Interner<TableInfo> TABLES = new Interner<>(10_000);

    /** Reads a stored definition; throws {@link IllegalArgumentException} when it is not one of ours. */
    public static ShapeDefinition decode(byte[] bytes) {
        try (JsonParser p = JSON.createParser(bytes)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            TableInfo table = null;
            String where = null;
            Map<String, String> params = new LinkedHashMap<>();
            List<String> columns = new ArrayList<>();
            boolean explicit = false;
            ShapeDefinition.Replica replica = ShapeDefinition.Replica.DEFAULT;
            ShapeDefinition.LogMode log = ShapeDefinition.LogMode.FULL;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "format" -> {
                        if (p.getIntValue() != FORMAT) throw new IllegalArgumentException("unknown format " + p.getText());
                    }
                    case "table" -> table = TABLES.intern(readTable(p));
                    case "where" -> where = p.getText();
                    case "params" -> {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String k = p.currentName();
                            p.nextToken();
                            params.put(k, p.getText());
                        }
                    }
                    case "columns" -> {
                        while (p.nextToken() != JsonToken.END_ARRAY) columns.add(p.getText());
                    }
                    case "explicit_columns" -> explicit = p.getBooleanValue();
                    case "replica" -> replica = ShapeDefinition.Replica.valueOf(p.getText());
                    case "log" -> log = ShapeDefinition.LogMode.valueOf(p.getText());
                    default -> p.skipChildren();
                }
            }
            if (table == null) throw new IllegalArgumentException("no table");
            TableInfo t = table;
            Optional<WhereClause> compiled;
            try {
                compiled = Optional.ofNullable(where).map(w -> WhereClause.parse(w, t, params));
            } catch (dev.ampere.where.WhereClauseException e) {
                if (!e.reason().equals("subqueries are not supported")) throw e;
                // The values its sub-selects selected are not stored: they cannot be brought up to the stream's
                // position, so the shape is not recovered and its clients refetch it (docs/protocol.md, "Sub-selects").
                throw new IllegalArgumentException("its where clause filters through sub-selects, whose values are"
                        + " not kept across restarts; its clients refetch it");
            }
            return new ShapeDefinition(table, compiled, params, columns, explicit, replica, log);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable shape definition", e);
        }
    }

    private static TableInfo readTable(JsonParser p) throws IOException {
        String schema = null, name = null;
        int oid = 0;
        char replident = 'd', kind = 'r';
        List<String> pk = new ArrayList<>();
        List<ColumnInfo> columns = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "schema" -> schema = p.getText();
                case "name" -> name = p.getText();
                case "oid" -> oid = (int) p.getLongValue();
                case "replica_identity" -> replident = p.getText().charAt(0);
                case "kind" -> kind = p.getText().charAt(0);
                case "primary_key" -> {
                    while (p.nextToken() != JsonToken.END_ARRAY) pk.add(p.getText());
                }
                case "columns" -> {
                    while (p.nextToken() == JsonToken.START_ARRAY) {
                        p.nextToken();
                        String cname = p.getText();
                        p.nextToken();
                        int attnum = p.getIntValue();
                        p.nextToken();
                        int typeOid = (int) p.getLongValue();
                        p.nextToken();
                        String typeName = p.getText();
                        p.nextToken();
                        int base = (int) p.getLongValue();
                        p.nextToken();
                        char typeKind = p.getText().charAt(0);
                        p.nextToken();
                        int dims = p.getIntValue();
                        p.nextToken();
                        int typmod = p.getIntValue();
                        p.nextToken();
                        boolean notNull = p.getBooleanValue();
                        p.nextToken();
                        int pkIndex = p.getIntValue();
                        p.nextToken();
                        boolean generated = p.getBooleanValue();
                        // The header's type name and dims came later; definitions stored before them have neither.
                        String schemaType = typeName;
                        int schemaDims = dims;
                        if (p.nextToken() != JsonToken.END_ARRAY) {
                            schemaType = p.getText();
                            p.nextToken();
                            schemaDims = p.getIntValue();
                            expect(p.nextToken(), JsonToken.END_ARRAY);
                        }
                        columns.add(new ColumnInfo(cname, attnum, typeOid, typeName, base, typeKind, dims, typmod,
                                notNull, pkIndex, generated, schemaType, schemaDims));
                    }
                }
                default -> p.skipChildren();
            }
        }
        return new TableInfo(schema, name, oid, columns, pk, replident, kind);
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) throw new IllegalArgumentException("expected " + expected + ", got " + actual);
    }
}
