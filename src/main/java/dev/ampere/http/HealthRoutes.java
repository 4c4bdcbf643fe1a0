package dev.ampere.http;

import dev.ampere.stack.StackEvents;
import dev.ampere.stack.StackStatus;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;

/**
 * {@code GET /v1/health}: 200 {@code {"status":"active"}} once the stack serves, 202 with {@code waiting} (no lock
 * yet) or {@code starting} before that (docs/protocol.md §1.1), never cached.
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
        res.status(status == StackStatus.ACTIVE ? 200 : 202);
        res.header("cache-control", "no-cache, no-store, must-revalidate");
        res.header("content-type", "application/json");
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
