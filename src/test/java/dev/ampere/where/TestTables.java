package dev.ampere.where;

import java.util.ArrayList;
import java.util.List;

import dev.ampere.postgres.ColumnInfo;
import dev.ampere.postgres.TableInfo;

/** Hand-built {@link TableInfo}s for unit tests ({@code name:type} specs, {@code []} suffix for arrays). */
public final class TestTables {
    private TestTables() {}

    /** Columns like {@code "id:int4"}, {@code "tags:text[]"}, {@code "mood:mood:e"} (enum). First column is the PK. */
    public static TableInfo table(int oid, String... specs) {
        List<ColumnInfo> cols = new ArrayList<>();
        for (int i = 0; i < specs.length; i++) {
            String[] p = specs[i].split(":");
            boolean array = p[1].endsWith("[]");
            String type = array ? p[1].substring(0, p[1].length() - 2) : p[1];
            char kind = p.length > 2 ? p[2].charAt(0) : 'b';
            SqlType st = SqlType.fromPgName(type);
            int oidOf = st == null ? 99999 : switch (st.base()) {
                case BOOL -> 16; case INT2 -> 21; case INT4 -> 23; case INT8 -> 20; case NUMERIC -> 1700;
                case FLOAT4 -> 700; case FLOAT8 -> 701; case TEXT -> 25; case UUID -> 2950; case DATE -> 1082;
                case TIME -> 1083; case TIMESTAMP -> 1114; case TIMESTAMPTZ -> 1184; case INTERVAL -> 1186;
                default -> 99999;
            };
            cols.add(new ColumnInfo(p[0], i + 1, oidOf, type, oidOf, kind, array ? 1 : 0, -1, false, i == 0 ? 0 : -1, false));
        }
        return new TableInfo("public", "items", oid, cols, List.of(cols.getFirst().name()), 'f', 'r');
    }
}
