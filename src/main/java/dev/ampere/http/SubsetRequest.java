package dev.ampere.http;

import dev.ampere.postgres.TableInfo;
import dev.ampere.shapes.SubsetQuery;
import dev.ampere.where.OrderByClause;
import dev.ampere.where.WhereClause;
import dev.ampere.where.WhereClauseException;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The subset part of a {@code GET/POST /v1/shape} request (docs/protocol.md §1.3): {@code where}, {@code params},
 * {@code limit}, {@code offset} and {@code order_by}, cast and checked as Electric's {@code SubsetParams} and
 * {@code Shape.Subset} do. Values come from the query string ({@code subset__x}, {@code subset[x]},
 * {@code subset__params[n]}) as strings, or from a POST body as JSON values ({@link PostBody}); the body's keys win.
 *
 * <p>Checks, in Electric's order: cast every field ({@code is invalid}; {@code params} must be a JSON object of
 * scalars), {@code limit} &gt; 0, {@code offset} ≥ 0, {@code order_by} required with either; then, with the table,
 * the order (plain columns only), then the where clause (no subqueries, numbered params, a boolean). Errors are
 * reported under {@code errors.subset.<field>}.
 *
 * <p>Stateless.
 */
final class SubsetRequest {
    private SubsetRequest() {}

    /** The outcome: a subset to query, or the errors for a 400 body, keyed by subset field. */
    sealed interface Result {
        record Ok(SubsetQuery.Subset subset) implements Result {}

        record Invalid(Map<String, List<String>> errors) implements Result {}
    }

    /** A JSON number as written in a POST body; {@code integral} when it has no fraction or exponent. */
    record JsonNumber(String text, boolean integral) {}

    /**
     * The raw subset values of a request: the query string's (string values, with {@code params[n]} keys collected
     * into a {@code params} map), overridden key by key by the body's; empty when neither has any.
     */
    static Optional<Map<String, Object>> raw(Optional<Map<String, String>> fromQuery,
                                             Optional<Map<String, Object>> fromBody) {
        if (fromQuery.isEmpty() && fromBody.isEmpty()) return Optional.empty();
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, String> deepParams = new LinkedHashMap<>();
        fromQuery.ifPresent(q -> q.forEach((k, v) -> {
            if (k.startsWith("params[") && k.endsWith("]")) deepParams.put(k.substring(7, k.length() - 1), v);
            else out.put(k, v);
        }));
        if (!deepParams.isEmpty() && !out.containsKey("params")) out.put("params", deepParams);
        fromBody.ifPresent(out::putAll);
        return Optional.of(out);
    }

    /**
     * Casts and validates {@code raw} for a shape over {@code table} selecting {@code selectedColumns} columns.
     */
    static Result validate(Map<String, Object> raw, TableInfo table, int selectedColumns) {
        Map<String, List<String>> errors = new LinkedHashMap<>();
        Optional<String> orderBy = string(raw, "order_by", errors);
        Optional<BigInteger> limit = integer(raw, "limit", errors);
        Optional<BigInteger> offset = integer(raw, "offset", errors);
        Optional<String> where = string(raw, "where", errors);
        Map<String, String> params = params(raw, errors);
        if (limit.isPresent() && limit.get().signum() <= 0) add(errors, "limit", "must be greater than 0");
        if (offset.isPresent() && offset.get().signum() < 0) add(errors, "offset", "must be greater than or equal to 0");
        // As Ecto's changed?/2: a limit or offset that failed to cast does not require an order.
        boolean limited = limit.isPresent() || offset.isPresent();
        if (limited && orderBy.isEmpty() && !errors.containsKey("order_by")) {
            add(errors, "order_by", "order_by is required when limit or offset is present");
        }
        if (!errors.isEmpty()) return new Result.Invalid(errors);

        Optional<OrderByClause> order;
        try {
            order = orderBy.map(o -> OrderByClause.parse(o, table, selectedColumns));
        } catch (WhereClauseException e) {
            return invalid("order_by", e.getMessage());
        }
        Optional<WhereClause> clause = Optional.empty();
        if (where.isPresent()) {
            Optional<String> bad = ShapeRequestParser.validateParams(params);
            try {
                clause = Optional.of(WhereClause.parse(where.get(), table, bad.isPresent() ? params : numbered(params)));
            } catch (WhereClauseException e) {
                if (e.reason().equals("subqueries are not supported")) {
                    return invalid("where", "Subqueries are not allowed in subsets");
                }
                if (bad.isPresent()) return invalid("params", bad.get());
                return invalid(e.field(), e.getMessage());
            }
            if (bad.isPresent()) return invalid("params", bad.get());
        }
        return new Result.Ok(new SubsetQuery.Subset(clause, order, clamp(limit), clamp(offset)));
    }

    /** The 400 body: {@code {"message":"Invalid request","errors":{"subset":{"<field>":["…"]}}}}. */
    static byte[] invalidBody(Map<String, List<String>> errors) {
        return JsonBodies.write(g -> {
            g.writeStartObject();
            g.writeStringField("message", "Invalid request");
            g.writeObjectFieldStart("errors");
            g.writeObjectFieldStart("subset");
            for (Map.Entry<String, List<String>> e : errors.entrySet()) {
                g.writeArrayFieldStart(e.getKey());
                for (String m : e.getValue()) g.writeString(m);
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private static Result invalid(String field, String message) {
        Map<String, List<String>> errors = new LinkedHashMap<>();
        add(errors, field, message);
        return new Result.Invalid(errors);
    }

    private static void add(Map<String, List<String>> errors, String field, String message) {
        errors.computeIfAbsent(field, k -> new ArrayList<>()).add(message);
    }

    /** Ecto's {@code :string} cast: strings only; blank counts as absent. */
    private static Optional<String> string(Map<String, Object> raw, String key, Map<String, List<String>> errors) {
        Object v = raw.get(key);
        if (v == null) return Optional.empty();
        if (v instanceof String s) return s.isBlank() ? Optional.empty() : Optional.of(s);
        add(errors, key, ParamCaster.INVALID);
        return Optional.empty();
    }

    /** Ecto's {@code :integer} cast: a JSON integer, or a string that is an optionally signed integer. */
    private static Optional<BigInteger> integer(Map<String, Object> raw, String key, Map<String, List<String>> errors) {
        Object v = raw.get(key);
        if (v == null) return Optional.empty();
        if (v instanceof String s) {
            if (s.isBlank()) return Optional.empty();
            BigInteger n = parseInteger(s);
            if (n != null) return Optional.of(n);
        } else if (v instanceof JsonNumber n && n.integral()) {
            return Optional.of(new BigInteger(n.text()));
        }
        add(errors, key, ParamCaster.INVALID);
        return Optional.empty();
    }

    /**
     * Electric's {@code JsonOrMapStringParams}: a JSON object given as a string (the client's
     * {@code subset__params={"1":"a"}}), or a map (deep-object keys, a POST body's object); every value is turned
     * into its text (numbers as written, booleans {@code true}/{@code false}, null as empty text).
     */
    private static Map<String, String> params(Map<String, Object> raw, Map<String, List<String>> errors) {
        Object v = raw.get("params");
        if (v == null) return Map.of();
        Object map = v;
        if (v instanceof String s) {
            if (s.isBlank()) return Map.of();
            try {
                map = PostBody.parseJson(s);
            } catch (PostBody.BadJson e) {
                add(errors, "params", "params must be valid JSON");
                return Map.of();
            }
            if (!(map instanceof Map<?, ?>)) {
                add(errors, "params", "params must be a JSON object");
                return Map.of();
            }
        }
        if (!(map instanceof Map<?, ?> m)) {
            add(errors, "params", ParamCaster.INVALID);
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String text = scalarText(e.getValue());
            if (text == null) {
                add(errors, "params", ParamCaster.INVALID);
                return Map.of();
            }
            out.put(String.valueOf(e.getKey()), text);
        }
        return out;
    }

    private static String scalarText(Object v) {
        return switch (v) {
            case null -> "";
            case String s -> s;
            case JsonNumber n -> n.text();
            case Boolean b -> b.toString();
            default -> null;
        };
    }

    /** Keys as the where engine reads them ({@code "01"} and {@code "+1"} name {@code $1} too). */
    private static Map<String, String> numbered(Map<String, String> params) {
        TreeMap<BigInteger, String> sorted = new TreeMap<>();
        params.forEach((k, v) -> sorted.put(parseInteger(k), v));
        Map<String, String> out = new LinkedHashMap<>();
        sorted.forEach((k, v) -> out.put(k.toString(), v));
        return out;
    }

    /** Postgres's LIMIT and OFFSET are bigint; a larger value means the same as the largest. */
    private static OptionalLong clamp(Optional<BigInteger> n) {
        if (n.isEmpty()) return OptionalLong.empty();
        BigInteger max = BigInteger.valueOf(Long.MAX_VALUE);
        return OptionalLong.of(n.get().min(max).longValueExact());
    }

    /** Elixir's {@code Integer.parse} requiring the whole text: optional sign, ASCII digits. Null otherwise. */
    private static BigInteger parseInteger(String s) {
        int start = !s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
        if (start == s.length()) return null;
        for (int i = start; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') return null;
        }
        return new BigInteger(s.charAt(0) == '+' ? s.substring(1) : s);
    }
}
