package dev.ampere.http;

import java.util.List;

/**
 * The {@code etag} of a shape log response and {@code If-None-Match} matching (docs/protocol.md §1.7, §1.4 304):
 * {@code "<handle>:<request offset>:<response offset>"}, double-quoted; a response without changes appends
 * {@code :<monotonic time>} so a CDN can never revalidate an empty (typically live) response.
 *
 * <p>Stateless and thread-safe.
 */
public final class ETag {
    private ETag() {}

    /**
     * The unquoted tag. {@code emptyResponseSuffix} is null for responses with changes (Electric uses
     * {@code System.monotonic_time()}, which may be negative). {@code responseOffset} may be null for an error
     * response that still knows its handle (e.g. 400 out of bounds): Electric then writes an empty part.
     */
    public static String unquoted(String handle, RequestedOffset requested, String responseOffset,
                                  Long emptyResponseSuffix) {
        String tag = handle + ":" + requested.wireForm() + ":" + (responseOffset == null ? "" : responseOffset);
        return emptyResponseSuffix == null ? tag : tag + ":" + emptyResponseSuffix;
    }

    /** The header value: {@link #unquoted} in double quotes. */
    public static String header(String handle, RequestedOffset requested, String responseOffset,
                                Long emptyResponseSuffix) {
        return "\"" + unquoted(handle, requested, responseOffset, emptyResponseSuffix) + "\"";
    }

    /** What {@link #gzipVariant} appends inside the quotes. */
    static final String GZIP_SUFFIX = ":gzip";

    /**
     * The ETag of the gzip representation of the response tagged {@code quotedTag}: the same tag with
     * {@value #GZIP_SUFFIX} inside the quotes. A strong ETag names one sequence of bytes, and the compressed body is
     * another (RFC 9110 §8.8.3), so it needs its own; weakening the tag instead would keep it but lose strong
     * comparison, which caches use for ranges and which the gzip variant can keep as well.
     */
    static String gzipVariant(String quotedTag) {
        if (quotedTag.endsWith(GZIP_SUFFIX + "\"")) return quotedTag;
        return quotedTag.endsWith("\"") ? quotedTag.substring(0, quotedTag.length() - 1) + GZIP_SUFFIX + "\""
                : quotedTag + GZIP_SUFFIX;
    }

    /**
     * True when any {@code If-None-Match} header value lists the tag. Values are split on commas, trimmed, stripped
     * of surrounding double quotes (all of them, as Electric's {@code String.trim(_, "\"")}) and compared with the
     * unquoted tag. Unlike Electric, a weak {@code W/} prefix is also accepted, since a compressing proxy turns
     * strong tags weak.
     */
    public static boolean matches(List<String> ifNoneMatch, String unquotedTag) {
        return matching(ifNoneMatch, unquotedTag) != null;
    }

    /**
     * The listed tag that matches: {@code unquotedTag} itself or its {@link #gzipVariant} (either stored
     * representation is current when the content is: If-None-Match compares weakly, RFC 9110 §13.1.2), unquoted;
     * null when none does.
     */
    static String matching(List<String> ifNoneMatch, String unquotedTag) {
        String gzip = unquotedTag + GZIP_SUFFIX;
        for (String header : ifNoneMatch) {
            for (String part : header.split(",", -1)) {
                String candidate = part.strip();
                if (candidate.startsWith("W/")) candidate = candidate.substring(2);
                String stripped = stripQuotes(candidate);
                if (stripped.equals(unquotedTag) || stripped.equals(gzip)) return stripped;
            }
        }
        return null;
    }

    private static String stripQuotes(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '"') start++;
        while (end > start && s.charAt(end - 1) == '"') end--;
        return s.substring(start, end);
    }
}
