package dev.ampere.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import io.helidon.webserver.CloseConnectionException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON body of {@code POST /v1/shape} (docs/protocol.md §1.1, §1.3), read and merged as Electric's
 * {@code ServeShapePlug} does: an empty body is no body; otherwise it must be a JSON object. When it has a
 * {@code "subset"} object, that object holds the subset keys and every other key is a request parameter; without one,
 * the subset keys ({@code where}, {@code params}, {@code limit}, {@code offset}, {@code order_by} and the client's
 * {@code where_expr}/{@code order_by_expr}) at the top level are the subset and the rest are request parameters. Body
 * parameters override the query string's; a {@code params} object among them is the shape's {@code params[n]}.
 *
 * <p>Stateless.
 */
final class PostBody {
    /** Electric reads at most Plug's default of 8,000,000 bytes. */
    static final int MAX_BYTES = 8_000_000;
    private static final Set<String> SUBSET_KEYS = Set.of("where", "order_by", "limit", "offset", "params",
            "where_expr", "order_by_expr");
    private static final JsonFactory JSON = new JsonFactory();

    private PostBody() {}

    /** What reading a body gives. */
    sealed interface Outcome permits Rejected, Parsed {}

    /** A body that cannot be used: the status and the exact body to answer with. */
    record Rejected(int status, byte[] body) implements Outcome {}

    /** A usable body: request parameters to lay over the query string's, and the subset values, if any. */
    record Parsed(Map<String, String> parameters, Optional<Map<String, Object>> subset) implements Outcome {
        /** The query string with the body's parameters laid over it (the last value wins when cast). */
        Map<String, List<String>> over(Map<String, List<String>> query) {
            Map<String, List<String>> out = new LinkedHashMap<>(query);
            parameters.forEach((k, v) -> out.put(k, List.of(v)));
            return out;
        }
    }

    /** Thrown by {@link #parseJson} for text that is not JSON. */
    static final class BadJson extends Exception {
        BadJson(String message) {
            super(message, null, false, false);
        }
    }

    /** Reads and splits the body; a {@link Rejected} as Electric words it otherwise. */
    static Outcome read(InputStream in) throws IOException {
        byte[] bytes;
        try {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (CloseConnectionException e) {
            throw e; // the connection failed or timed out: nothing to answer
        } catch (RuntimeException e) {
            // Helidon's reader of a chunked body throws unchecked exceptions for a malformed framing (a chunk size
            // that is not hex, for one): the client's error, never a 500 (docs/protocol.md §1.4). Helidon closes
            // the connection after the answer, as the rest of the body cannot be found.
            return new Rejected(400, RejectionResponses.malformed());
        }
        if (bytes.length > MAX_BYTES) return new Rejected(413, ErrorBodies.error("Request body too large"));
        if (bytes.length == 0) return new Parsed(Map.of(), Optional.empty());
        Object value;
        try {
            value = parseJson(new String(bytes, StandardCharsets.UTF_8));
        } catch (BadJson e) {
            return new Rejected(400, JsonBodies.write(g -> {
                g.writeStartObject();
                g.writeStringField("error", "Invalid JSON in request body");
                g.writeStringField("details", e.getMessage());
                g.writeEndObject();
            }));
        }
        if (!(value instanceof Map<?, ?> map)) {
            return new Rejected(400, ErrorBodies.error("Request body must be a JSON object"));
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        Map<String, Object> subset = new LinkedHashMap<>();
        boolean nested = map.get("subset") instanceof Map<?, ?>;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = (String) e.getKey();
            if (nested && key.equals("subset")) {
                ((Map<?, ?>) e.getValue()).forEach((k, v) -> subset.put((String) k, v));
            } else if (!nested && SUBSET_KEYS.contains(key)) {
                subset.put(key, e.getValue());
            } else if (key.equals("params") && e.getValue() instanceof Map<?, ?> values) {
                // The shape's params as an object, the deep-object form of the query string.
                values.forEach((k, v) -> {
                    String text = parameterText("", v);
                    if (text != null) parameters.put("params[" + k + "]", text);
                });
            } else {
                String text = parameterText(key, e.getValue());
                if (text != null) parameters.put(key, text);
            }
        }
        return new Parsed(parameters, subset.isEmpty() && !nested ? Optional.empty() : Optional.of(subset));
    }

    /**
     * A body value as the query-string text it stands for: strings as they are, numbers as written, booleans as
     * {@code true}/{@code false}, a list of column names as a quoted column list; null (and anything else) as absent.
     */
    private static String parameterText(String key, Object v) {
        return switch (v) {
            case String s -> s;
            case SubsetRequest.JsonNumber n -> n.text();
            case Boolean b -> b.toString();
            case List<?> l when (key.equals("columns") || key.equals("queryable_columns"))
                    && l.stream().allMatch(x -> x instanceof String) -> {
                List<String> quoted = new ArrayList<>();
                for (Object c : l) quoted.add("\"" + ((String) c).replace("\"", "\"\"") + "\"");
                yield String.join(",", quoted);
            }
            case null, default -> null;
        };
    }

    /**
     * Parses one JSON document into strings, {@link SubsetRequest.JsonNumber}s, booleans, null, lists and
     * insertion-ordered maps.
     */
    static Object parseJson(String text) throws BadJson {
        try (JsonParser p = JSON.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) throw new BadJson("unexpected end of input");
            Object value = value(p, first);
            if (p.nextToken() != null) throw new BadJson("unexpected data after the JSON value");
            return value;
        } catch (JsonProcessingException e) {
            throw new BadJson(e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadJson(e.getMessage());
        }
    }

    private static Object value(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    m.put(name, value(p, p.nextToken()));
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                JsonToken next;
                while ((next = p.nextToken()) != JsonToken.END_ARRAY) l.add(value(p, next));
                yield l;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> new SubsetRequest.JsonNumber(p.getText(), true);
            case VALUE_NUMBER_FLOAT -> new SubsetRequest.JsonNumber(p.getText(), false);
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new JsonParseFailure("unexpected token " + t);
        };
    }

    private static final class JsonParseFailure extends IOException {
        JsonParseFailure(String message) {
            super(message);
        }
    }
}
