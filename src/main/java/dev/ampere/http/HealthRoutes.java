package dev.ampere.http;

import dev.ampere.stack.StackEvents;
import dev.ampere.stack.StackStatus;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code GET /v1/health}: 200 {@code {"status":"active"}} once the stack serves, 202 with {@code waiting} (no lock
 * yet) or {@code starting} before that (docs/protocol.md §1.1), never cached. While shape storage cannot take
 * writes (disk full), an active stack answers 503 {@code {"status":"degraded","reason":"..."}}: existing shapes
 * are still served, but new ones are refused and changes are held.
 *
 * <p>Stateless apart from the stack's status, which it reads.
 */
final class HealthRoutes {
    private final StackEvents events;

    HealthRoutes(StackEvents events) {
        this.events = events;
    }

    void health(ServerRequest req, ServerResponse res) {
        StackStatus status = events.status();
        Optional<String> storageFault = status == StackStatus.ACTIVE ? events.storageFault() : Optional.empty();
        res.header("cache-control", "no-cache, no-store, must-revalidate");
        res.header("content-type", "application/json");
        if (storageFault.isPresent()) {
            res.status(503);
            res.send(JsonBodies.write(g -> {
                g.writeStartObject();
                g.writeStringField("status", "degraded");
                g.writeStringField("reason", storageFault.get());
                g.writeEndObject();
            }));
            return;
        }
        res.status(status == StackStatus.ACTIVE ? 200 : 202);
        res.send(("{\"status\":\"" + status.wireName() + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    static void root(ServerRequest req, ServerResponse res) {
        res.status(200);
        res.send();
    }

    static void notFound(ServerRequest req, ServerResponse res) {
        res.status(404);
        res.header("content-type", "text/plain; charset=utf-8");
        res.send("Not found".getBytes(StandardCharsets.UTF_8));
    }
}
