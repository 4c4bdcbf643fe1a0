package dev.ampere.where;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * A Postgres array value: dimensions, lower bounds and the elements in row-major order (null for SQL NULL
 * elements). An empty array has no dimensions. Parses and prints Postgres's array text ({@code {1,2,"a b",NULL}},
 * {@code {{1,2},{3,4}}}, {@code [0:1]={…}}).
 *
 * <p>Immutable once built (the arrays are never exposed for writing).
 */
public record PgArray(int[] dims, int[] lowerBounds, Object[] items) {
    static final PgArray EMPTY = new PgArray(new int[0], new int[0], new Object[0]);

    static PgArray oneDim(List<?> elements) {
        if (elements.isEmpty()) return EMPTY;
        return new PgArray(new int[]{elements.size()}, new int[]{1}, elements.toArray());
    }

    int ndims() {
        return dims.length;
    }

    int size() {
        return items.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PgArray a && Arrays.equals(dims, a.dims) && Arrays.equals(lowerBounds, a.lowerBounds)
                && Arrays.equals(items, a.items);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(items);
    }

    static PgArray parse(String text, Function<String, Object> element) {
        int[] lbounds = null;
        String s = text.trim();
        if (s.startsWith("[")) {
            int eq = s.indexOf('=');
            if (eq < 0) throw bad(text);
            String[] decl = s.substring(0, eq).replace("][", "|").replace("[", "").replace("]", "").split("\\|");
            lbounds = new int[decl.length];
            for (int d = 0; d < decl.length; d++) lbounds[d] = Integer.parseInt(decl[d].split(":")[0].trim());
            s = s.substring(eq + 1).trim();
        }
        ArrayTextReader r = new ArrayTextReader(s, element);
        PgArray parsed = r.read();
        if (lbounds != null && parsed.ndims() == lbounds.length) {
            return new PgArray(parsed.dims, lbounds, parsed.items);
        }
        if (lbounds != null) throw bad(text);
        return parsed;
    }

    static EvalException bad(String text) {
        return new EvalException("malformed array literal: \"" + text + "\"");
    }

    /** Postgres's array text, each element printed with {@code element}. */
    String format(Function<Object, String> element) {
        if (items.length == 0) return "{}";
        StringBuilder sb = new StringBuilder();
        boolean decorate = false;
        for (int lb : lowerBounds) decorate |= lb != 1;
        if (decorate) {
            for (int d = 0; d < dims.length; d++) {
                sb.append('[').append(lowerBounds[d]).append(':').append(lowerBounds[d] + dims[d] - 1).append(']');
            }
            sb.append('=');
        }
        int[] idx = {0};
        formatDim(sb, 0, idx, element);
        return sb.toString();
    }

    private void formatDim(StringBuilder sb, int dim, int[] idx, Function<Object, String> element) {
        sb.append('{');
        for (int k = 0; k < dims[dim]; k++) {
            if (k > 0) sb.append(',');
            if (dim + 1 < dims.length) {
                formatDim(sb, dim + 1, idx, element);
            } else {
                Object v = items[idx[0]++];
                sb.append(v == null ? "NULL" : quote(element.apply(v)));
            }
        }
        sb.append('}');
    }

    private static String quote(String s) {
        boolean needs = s.isEmpty() || s.equalsIgnoreCase("NULL");
        for (int i = 0; i < s.length() && !needs; i++) {
            char c = s.charAt(i);
            needs = c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' || Character.isWhitespace(c);
        }
        if (!needs) return s;
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Reads the brace structure of array text. */
    private static final class ArrayTextReader {
        private final String s;
        private final Function<String, Object> element;
        private int pos;
        private final List<Object> items = new ArrayList<>();
        private int[] dims;

        ArrayTextReader(String s, Function<String, Object> element) {
            this.s = s;
            this.element = element;
        }

        PgArray read() {
            if (!s.startsWith("{")) throw bad(s);
            List<Integer> shape = new ArrayList<>();
            readLevel(0, shape);
            skipSpace();
            if (pos != s.length()) throw bad(s);
            if (items.isEmpty()) return EMPTY;
            int[] lb = new int[dims.length];
            Arrays.fill(lb, 1);
            return new PgArray(dims, lb, items.toArray());
        }

        private void readLevel(int depth, List<Integer> shape) {
            pos++; // '{'
            int count = 0;
            skipSpace();
            if (peek() == '}') {
                pos++;
                if (depth > 0) throw bad(s);
                return;
            }
            while (true) {
                skipSpace();
                if (peek() == '{') readLevel(depth + 1, shape);
                else readElement(depth);
                count++;
                skipSpace();
                char c = peek();
                pos++;
                if (c == '}') break;
                if (c != ',') throw bad(s);
            }
            if (dims == null) dims = new int[depth + 1];
            if (depth >= dims.length) throw bad(s);
            if (dims[depth] == 0) dims[depth] = count;
            else if (dims[depth] != count) throw new EvalException("malformed array literal: \"" + s + "\"");
        }

        private void readElement(int depth) {
            if (dims != null && depth != dims.length - 1) throw bad(s);
            if (peek() == '"') {
                pos++;
                StringBuilder sb = new StringBuilder();
                while (true) {
                    if (pos >= s.length()) throw bad(s);
                    char c = s.charAt(pos++);
                    if (c == '\\') { sb.append(s.charAt(pos++)); continue; }
                    if (c == '"') break;
                    sb.append(c);
                }
                items.add(element.apply(sb.toString()));
                if (dims == null) dims = new int[depth + 1];
                return;
            }
            int start = pos;
            while (pos < s.length() && s.charAt(pos) != ',' && s.charAt(pos) != '}') {
                if (s.charAt(pos) == '{' || s.charAt(pos) == '"') throw bad(s);
                pos++;
            }
            String raw = s.substring(start, pos).trim();
            if (raw.isEmpty()) throw bad(s);
            items.add(raw.equalsIgnoreCase("NULL") ? null : element.apply(raw));
            if (dims == null) dims = new int[depth + 1];
        }

        private char peek() {
            if (pos >= s.length()) throw bad(s);
            return s.charAt(pos);
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }
    }
}
