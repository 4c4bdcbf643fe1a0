package dev.ampere.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validation errors of one request: field name to messages, fields and messages in the order they were found
 * (the {@code errors} object of a 400 body, docs/protocol.md §1.4).
 *
 * <p>Not thread-safe; built by one request thread, then only read.
 */
public final class RequestErrors {
    private final Map<String, List<String>> errors = new LinkedHashMap<>();

    public static RequestErrors of(String field, String message) {
        return new RequestErrors().add(field, message);
    }

    public RequestErrors add(String field, String message) {
        errors.computeIfAbsent(field, k -> new ArrayList<>()).add(message);
        return this;
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public boolean has(String field) {
        return errors.containsKey(field);
    }

    /** A read-only view in insertion order. */
    public Map<String, List<String>> asMap() {
        return Collections.unmodifiableMap(errors);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestErrors r && r.errors.equals(errors);
    }

    @Override
    public int hashCode() {
        return errors.hashCode();
    }

    @Override
    public String toString() {
        return errors.toString();
    }
}
