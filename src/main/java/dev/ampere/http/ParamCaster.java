package dev.ampere.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads typed values out of decoded query parameters with the casting rules of Electric's Ecto schema
 * ({@code Api.Params}): the last of repeated values wins (as Plug decodes), a blank value (empty after trimming)
 * counts as absent and yields the field's default, booleans accept {@code true/1/false/0}, and a value that does not
 * cast records {@code is invalid} (or the identifier parser's message for column lists) in {@link RequestErrors}.
 *
 * <p>Not thread-safe: one instance per request.
 */
final class ParamCaster {
    static final String INVALID = "is invalid";

    private final Map<String, List<String>> query;
    private final RequestErrors errors;

    ParamCaster(Map<String, List<String>> query, RequestErrors errors) {
        this.query = query;
        this.errors = errors;
    }

    /** The last value sent for {@code key}, exactly as sent. */
    Optional<String> raw(String key) {
        List<String> values = query.get(key);
        if (values == null || values.isEmpty()) return Optional.empty();
        return Optional.ofNullable(values.getLast());
    }

    /** A string field: absent when missing or blank. */
    Optional<String> string(String key) {
        return raw(key).filter(v -> !v.isBlank());
    }

    boolean bool(String key, boolean defaultValue) {
        return castBool(key, raw(key), defaultValue);
    }

    /** Ecto's boolean cast of {@code value}, recording an error under {@code field}. */
    boolean castBool(String field, Optional<String> value, boolean defaultValue) {
        if (value.isEmpty() || value.get().isBlank()) return defaultValue;
        return switch (value.get()) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> {
                errors.add(field, INVALID);
                yield defaultValue;
            }
        };
    }

    <E> E enumValue(String key, Map<String, E> values, E defaultValue) {
        Optional<String> v = string(key);
        if (v.isEmpty()) return defaultValue;
        E e = values.get(v.get());
        if (e == null) {
            errors.add(key, INVALID);
            return defaultValue;
        }
        return e;
    }

    Optional<List<String>> columns(String key) {
        Optional<String> v = string(key);
        if (v.isEmpty()) return Optional.empty();
        try {
            return Optional.of(IdentifierParser.parseColumns(v.get()));
        } catch (InvalidIdentifierException e) {
            errors.add(key, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The {@code params} map from the deep-object form {@code params[1]=a}. A plain {@code params=x}, a nested
     * {@code params[1][x]=a} or a list {@code params[]=a} is not a map of strings: {@code is invalid}.
     */
    Map<String, String> stringMap(String key) {
        Map<String, String> out = new LinkedHashMap<>();
        boolean invalid = string(key).isPresent();
        String prefix = key + "[";
        for (Map.Entry<String, List<String>> e : query.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith(prefix) || !k.endsWith("]") || e.getValue().isEmpty()) continue;
            String inner = k.substring(prefix.length(), k.length() - 1);
            if (inner.isEmpty() || inner.indexOf('[') >= 0 || inner.indexOf(']') >= 0) {
                invalid = true;
            } else {
                out.put(inner, e.getValue().getLast());
            }
        }
        if (invalid) {
            errors.add(key, INVALID);
            return Map.of();
        }
        return out;
    }
}
