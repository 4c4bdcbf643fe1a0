package dev.ampere.http;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ampere.config.Config;
import dev.ampere.postgres.SlotLag;
import dev.ampere.replication.ReplicationProgress;
import dev.ampere.shapecache.ShapeDirectory;
import dev.ampere.shapes.ShapeDefinition;
import dev.ampere.shapes.ShapeState;
import dev.ampere.stack.StackEvents;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The live status page (README, "Status page"): {@code GET /status} is one self-contained HTML page (no external
 * assets) that fetches {@code GET /status.json} every 2 s and renders it: the stack's state, replication lag, WAL
 * retained, the shapes (table, where clause, stored bytes, live clients) and the recent warnings and errors. Both need the secret,
 * as shapes do ({@code ?secret=}); the page passes its own query on to the JSON.
 *
 * <p>Stateless apart from what it reads: the stack's status, the shape directory, replication progress, the slot's
 * figures and the recent problems it is given.
 */
final class StatusRoutes {
    /** Shapes listed at most, the largest first; the page says how many there are in all. */
    static final int MAX_SHAPES_LISTED = 500;

    private static final byte[] PAGE = loadPage();

    private final Config config;
    private final StackEvents events;
    private final ShapeDirectory shapes;
    private final ReplicationProgress progress;
    private final StatusSources sources;

    StatusRoutes(Config config, StackEvents events, ShapeDirectory shapes, ReplicationProgress progress,
                 StatusSources sources) {
        this.config = config;
        this.events = events;
        this.shapes = shapes;
        this.progress = progress;
        this.sources = sources;
    }

    void page(ServerRequest req, ServerResponse res) {
        if (!authorized(req, res)) return;
        res.header("content-type", "text/html; charset=utf-8");
        res.header("cache-control", "no-store");
        res.send(PAGE);
    }

    void json(ServerRequest req, ServerResponse res) {
        if (!authorized(req, res)) return;
        res.header("content-type", "application/json");
        res.header("cache-control", "no-store");
        res.send(JsonBodies.write(this::write));
    }

    private boolean authorized(ServerRequest req, ServerResponse res) {
        if (config.secret().isEmpty()) return true;
        Map<String, List<String>> query = QueryString.parse(req.query().rawValue());
        String given = first(query, "secret").or(() -> first(query, "api_secret")).orElse(null);
        if (given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                config.secret().get().getBytes(StandardCharsets.UTF_8))) {
            return true;
        }
        res.status(401);
        res.header("content-type", "application/json");
        res.send(ErrorBodies.message("Unauthorized - Invalid API secret"));
        return false;
    }

    private static Optional<String> first(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.getFirst());
    }

    private void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("stack_id", config.stackId());
        g.writeStringField("status", events.status().wireName());
        Optional<String> fatal = events.fatal();
        if (fatal.isPresent()) g.writeStringField("fatal", fatal.get());
        g.writeBooleanField("shapes_available", shapes.available());
        g.writeNumberField("last_seen_lsn", progress.lastSeenLsn());
        long lag = sources.lastReplicationLagMillis().getAsLong();
        if (lag >= 0) g.writeNumberField("replication_lag_ms", lag);
        else g.writeNullField("replication_lag_ms");
        Optional<SlotLag.Figures> wal = sources.slot().current();
        if (wal.isPresent()) {
            g.writeNumberField("wal_retained_bytes", wal.get().retainedBytes());
            g.writeNumberField("confirmed_flush_lag_bytes", wal.get().confirmedFlushLagBytes());
        } else {
            g.writeNullField("wal_retained_bytes");
            g.writeNullField("confirmed_flush_lag_bytes");
        }
        List<ShapeRow> rows = new ArrayList<>();
        long clients = 0;
        for (ShapeState s : shapes.all()) {
            if (s.hasEnded()) continue;
            int waiting = s.readersWaiting();
            clients += waiting;
            rows.add(new ShapeRow(s, waiting, s.storage().storedBytes()));
        }
        rows.sort(Comparator.comparingLong(ShapeRow::bytes).reversed().thenComparing(r -> r.state().handle()));
        g.writeNumberField("shape_count", rows.size());
        g.writeNumberField("live_clients", clients);
        g.writeArrayFieldStart("shapes");
        for (ShapeRow r : rows.subList(0, Math.min(rows.size(), MAX_SHAPES_LISTED))) {
            ShapeState s = r.state();
            ShapeDefinition d = s.definition();
            g.writeStartObject();
            g.writeStringField("handle", s.handle());
            g.writeStringField("table", d.table().schema() + "." + d.table().name());
            if (d.where().isPresent()) g.writeStringField("where", d.where().get().text());
            else g.writeNullField("where");
            g.writeStringField("snapshot", s.snapshot().name().toLowerCase(java.util.Locale.ROOT));
            g.writeStringField("offset", s.latestOffset().toString());
            g.writeNumberField("bytes", r.bytes());
            g.writeNumberField("live_clients", r.waiting());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("recent_errors");
        for (StatusSources.Problem e : sources.problems().get()) {
            g.writeStartObject();
            g.writeStringField("at", e.at().toString());
            g.writeStringField("level", e.level());
            g.writeStringField("message", e.message());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private record ShapeRow(ShapeState state, int waiting, long bytes) {}

    private static byte[] loadPage() {
        try (InputStream in = StatusRoutes.class.getResourceAsStream("status.html")) {
            if (in == null) throw new IllegalStateException("status.html is missing from the jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
