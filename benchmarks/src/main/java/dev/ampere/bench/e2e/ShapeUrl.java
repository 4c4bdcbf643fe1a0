package dev.ampere.bench.e2e;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Builds {@code /v1/shape} request targets: table, optional where clause, offset, handle, live and cursor. */
final class ShapeUrl {
    private ShapeUrl() {}

    static String of(String table, String where, String offset, String handle, boolean live, String cursor) {
        StringBuilder sb = new StringBuilder(128).append("/v1/shape?table=").append(encode(table));
        if (where != null) sb.append("&where=").append(encode(where));
        sb.append("&offset=").append(encode(offset));
        if (handle != null) sb.append("&handle=").append(encode(handle));
        if (live) {
            sb.append("&live=true");
            if (cursor != null) sb.append("&cursor=").append(encode(cursor));
        }
        return sb.toString();
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
