package dev.ampere.http;

import java.util.List;
import java.util.Map;

/**
 * The JSON bodies of error responses on the shape API (docs/protocol.md §1.4, §1.14), byte for byte as Electric 1.7
 * sends them, with keys in the order docs/protocol.md gives (Electric's own order follows the BEAM's atom-table order,
 * which clients never depend on).
 *
 * <p>Stateless and thread-safe.
 */
public final class ErrorBodies {
    private static final byte[] MUST_REFETCH = JsonBodies.write(g -> {
        g.writeStartArray();
        g.writeStartObject();
        g.writeObjectFieldStart("headers");
        g.writeStringField("control", "must-refetch");
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndArray();
    });

    private ErrorBodies() {}

    /** 409 body: {@code [{"headers":{"control":"must-refetch"}}]} (a fresh copy). */
    public static byte[] mustRefetch() {
        return MUST_REFETCH.clone();
    }

    /** 400: {@code {"message":"Invalid request","errors":{"field":["msg",...],...}}}, fields in insertion order. */
    public static byte[] invalidRequest(RequestErrors errors) {
        return JsonBodies.write(g -> {
            g.writeStartObject();
            g.writeStringField("message", "Invalid request");
            g.writeObjectFieldStart("errors");
            for (Map.Entry<String, List<String>> e : errors.asMap().entrySet()) {
                g.writeArrayFieldStart(e.getKey());
                for (String m : e.getValue()) g.writeString(m);
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** 400 with one field, e.g. {@code offset: out of bounds for this shape}. */
    public static byte[] invalidRequest(String field, String message) {
        return invalidRequest(RequestErrors.of(field, message));
    }

    /**
     * {@code {"message":"..."}}: 404 {@code No existing shape found}, 405 {@code DELETE not allowed}, 401
     * {@code Unauthorized - Invalid API secret}, 503 stack-not-ready reasons, snapshot known errors.
     */
    public static byte[] message(String message) {
        return JsonBodies.write(g -> {
            g.writeStartObject();
            g.writeStringField("message", message);
            g.writeEndObject();
        });
    }

    /** {@code {"error":"..."}}: 500 {@code Internal server error}, 413 {@code Request body too large}. */
    public static byte[] error(String error) {
        return JsonBodies.write(g -> {
            g.writeStartObject();
            g.writeStringField("error", error);
            g.writeEndObject();
        });
    }

    /** 503 admission rejection: {@code {"code":"concurrent_request_limit_exceeded","message":"..."}}. */
    public static byte[] concurrentRequestLimitExceeded(String kind, int limit) {
        return JsonBodies.write(g -> {
            g.writeStartObject();
            g.writeStringField("code", "concurrent_request_limit_exceeded");
            g.writeStringField("message", "Concurrent " + kind + " request limit exceeded (limit: " + limit
                    + "), please retry");
            g.writeEndObject();
        });
    }

    /** 503 when the database is unreachable: {@code {"code":"database_unreachable","error":"Database is unreachable"}}. */
    public static byte[] databaseUnreachable() {
        return JsonBodies.write(g -> {
            g.writeStartObject();
            g.writeStringField("code", "database_unreachable");
            g.writeStringField("error", "Database is unreachable");
            g.writeEndObject();
        });
    }
}
