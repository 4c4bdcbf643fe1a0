package dev.ampere.http;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.TableInfo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The {@code electric-schema} header (docs/protocol.md §1.7; Electric's {@code Schema.from_column_info}): a JSON object
 * from column name to {@code {type, dims?, pk_index?, not_null?, <modifier>}} for the selected columns. {@code type}
 * is the element type for arrays, and a domain's own name for a domain ({@link ColumnInfo#schemaType()}); the modifier is read from {@code atttypmod} by element type:
 * <ul>
 *   <li>{@code varchar}/{@code text} with typmod &gt; 0: {@code max_length = typmod − 4};</li>
 *   <li>{@code bpchar} with typmod &gt; 0: {@code length = typmod − 4};</li>
 *   <li>{@code bit}/{@code varbit}: {@code length = typmod}, even −1 (unconstrained varbit), as Electric does;</li>
 *   <li>{@code interval} with typmod ≥ 0: {@code fields} from the range mask in the high 16 bits (omitted when all
 *       set) and {@code precision} from the low 16 bits (omitted when −1);</li>
 *   <li>{@code date/time/timetz/timestamp/timestamptz} with typmod &gt; 0: {@code precision = typmod};</li>
 *   <li>{@code numeric} with typmod ≥ 0: {@code precision} and {@code scale}, the signed 16-bit halves of
 *       {@code typmod − 4};</li>
 *   <li>any other type with typmod ≥ 0 (including a time type with precision 0): {@code type_mod = typmod}.</li>
 * </ul>
 * Columns are listed in code-point (UTF-8 byte) order of their names, the order the BEAM gives small maps.
 *
 * <p>Stateless and thread-safe.
 */
public final class SchemaHeader {
    private static final Set<String> TIME_TYPES = Set.of("date", "time", "timetz", "timestamp", "timestamptz");
    private static final String[] INTERVAL_UNITS = {"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};
    private static final int[] INTERVAL_MASKS = {1 << 2, 1 << 1, 1 << 3, 1 << 10, 1 << 11, 1 << 12};
    private static final int ALL_FIELDS = 0x7FFF;
    private static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private SchemaHeader() {}

    /**
     * @param table    the table's metadata
     * @param selected the selected column names, or null for all columns
     */
    public static String of(TableInfo table, Collection<String> selected) {
        List<ColumnInfo> columns = new ArrayList<>();
        for (ColumnInfo c : table.columns()) {
            if (selected == null || selected.contains(c.name())) columns.add(c);
        }
        columns.sort(Comparator.comparing(ColumnInfo::name, CODE_POINT_ORDER));
        return JsonBodies.writeString(g -> {
            g.writeStartObject();
            for (ColumnInfo c : columns) {
                g.writeObjectFieldStart(c.name());
                writeColumn(g, c);
                g.writeEndObject();
            }
            g.writeEndObject();
        });
    }

    private static void writeColumn(JsonGenerator g, ColumnInfo c) throws IOException {
        g.writeStringField("type", c.schemaType());
        if (c.schemaDims() > 0) g.writeNumberField("dims", c.schemaDims());
        if (c.pkIndex() >= 0) g.writeNumberField("pk_index", c.pkIndex());
        if (c.notNull()) g.writeBooleanField("not_null", true);
        writeModifier(g, c.schemaType(), c.typeMod());
    }

    private static void writeModifier(JsonGenerator g, String type, int typeMod) throws IOException {
        if (typeMod > 0 && (type.equals("varchar") || type.equals("text"))) {
            g.writeNumberField("max_length", typeMod - 4);
        } else if (typeMod > 0 && type.equals("bpchar")) {
            g.writeNumberField("length", typeMod - 4);
        } else if (type.equals("bit") || type.equals("varbit")) {
            g.writeNumberField("length", typeMod);
        } else if (type.equals("interval") && typeMod > -1) {
            writeInterval(g, (short) (typeMod >>> 16), (short) typeMod);
        } else if (typeMod > 0 && TIME_TYPES.contains(type)) {
            g.writeNumberField("precision", typeMod);
        } else if (type.equals("numeric") && typeMod > -1) {
            int packed = typeMod - 4;
            g.writeNumberField("precision", (short) (packed >>> 16));
            g.writeNumberField("scale", (short) packed);
        } else if (typeMod > -1) {
            g.writeNumberField("type_mod", typeMod);
        }
    }

    private static void writeInterval(JsonGenerator g, int range, int precision) throws IOException {
        if (range != ALL_FIELDS) {
            List<String> units = new ArrayList<>();
            for (int i = 0; i < INTERVAL_UNITS.length; i++) {
                if ((range & INTERVAL_MASKS[i]) > 0) units.add(INTERVAL_UNITS[i]);
            }
            // Electric writes " TO " (two nils) for an empty unit list; Postgres never produces one.
            String fields = units.size() == 1 ? units.getFirst()
                    : (units.isEmpty() ? "" : units.getFirst()) + " TO " + (units.isEmpty() ? "" : units.getLast());
            g.writeStringField("fields", fields);
        }
        if (precision != -1) g.writeNumberField("precision", precision);
    }
}
