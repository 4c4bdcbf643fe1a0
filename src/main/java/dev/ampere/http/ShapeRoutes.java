package dev.ampere.http;

import dev.ampere.config.Config;
import dev.ampere.postgres.DatabaseUnavailable;
import dev.ampere.postgres.QueryPoolView;
import dev.ampere.postgres.RelationName;
import dev.ampere.postgres.TableInfo;
import dev.ampere.postgres.TableLookup;
import dev.ampere.replication.ReplicationProgress;
import dev.ampere.shapecache.ShapeDirectory;
import dev.ampere.shapecache.ShapesUnavailable;
import dev.ampere.shapes.DefinitionKey;
import dev.ampere.shapes.ShapeDefinition;
import dev.ampere.shapes.ShapeDefinitionException;
import dev.ampere.shapes.ShapeState;
import dev.ampere.shapes.VisibilityBarriers;
import dev.ampere.stack.StackEvents;
import dev.ampere.where.TableResolver;
import dev.ampere.where.WhereClauseException;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /v1/shape}: GET serves a shape (docs/protocol.md §1.3–§1.10), or a subset snapshot of it when subset parameters
 * are present (§1.11); POST does the same with parameters in a JSON body as well; DELETE removes one (§1.14), OPTIONS
 * answers CORS preflights. Validation failures are 400s with Electric's messages; only our own bugs are 500s.
 *
 * <p>A request that carries a handle finds its shape by handle, and one without finds it by definition; either way
 * the definition is checked through {@link DefinitionAliases} first, so the table lookup and the where clause's
 * parsing and compilation happen once per distinct set of parameters, not once per request.
 *
 * <p>Stateless apart from the views it was given and the alias cache; handlers run on request threads.
 */
final class ShapeRoutes {
    private static final Logger log = LoggerFactory.getLogger(ShapeRoutes.class);
    private static final Duration STACK_READY_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);

    private final Config config;
    private final CacheHeaders.Config cache;
    private final ShapeDirectory shapes;
    private final TableLookup tables;
    private final StackReadiness readiness;
    private final ShapeReply.Deps replyDeps;
    private final SubsetReply.Deps subsetDeps;
    private final DefinitionAliases aliases = new DefinitionAliases();
    private final Admission admission;

    ShapeRoutes(Config config, StackEvents events, ShapeDirectory shapes, TableLookup tables,
                ReplicationProgress progress, QueryPoolView pool) {
        this(config, events, shapes, tables, progress, pool, HttpMetrics.NONE, new VisibilityBarriers(Duration.ZERO));
    }

    ShapeRoutes(Config config, StackEvents events, ShapeDirectory shapes, TableLookup tables,
                ReplicationProgress progress, QueryPoolView pool, HttpMetrics metrics, VisibilityBarriers barriers) {
        this.config = config;
        this.cache = new CacheHeaders.Config(config.cacheMaxAge(), config.cacheStaleAge(), 60_000, true);
        this.shapes = shapes;
        this.tables = tables;
        this.readiness = new StackReadiness(events, shapes);
        this.admission = new Admission(config.requestLimits(), metrics);
        this.replyDeps = new ShapeReply.Deps(config, cache, progress, new SharedBodies(),
                new ShapeResumption(readiness, shapes), new CompressedChunks(metrics), shapes);
        this.subsetDeps = new SubsetReply.Deps(cache, pool, barriers);
    }

    void get(ServerRequest req, ServerResponse res) {
        handle(req, res, "GET");
    }

    /** POST: as GET, with request and subset parameters in a JSON object body too (docs/protocol.md §1.1). */
    void post(ServerRequest req, ServerResponse res) {
        handle(req, res, "POST");
    }

    private void handle(ServerRequest req, ServerResponse res, String method) {
        Admission.Permit[] permit = new Admission.Permit[1];
        try {
            // Prepared and sent from this frame: a parked long-poll's stack stays short (see ShapeReply.send).
            Reply reply = prepare(req, res, method, permit);
            if (reply != null) reply.send();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ShapesUnavailable e) {
            log.warn("{} /v1/shape: the shape could not be created or found: {}", method, e.getMessage());
            if (!res.isSent()) ShapeResponses.unavailable(res, method, "The shape could not be created, try again", 1, cache);
        } catch (ResponseBody.AbortedResponse e) {
            log.debug("{} /v1/shape: response aborted after its start: {}", method, e.getMessage());
            throw e; // the connection must close with the body unfinished
        } catch (Exception e) {
            failed(res, method, e);
        } finally {
            if (permit[0] != null) permit[0].close();
        }
    }

    /**
     * Admission control (docs/protocol.md §1.15): takes the request's permit into {@code permit[0]}, or answers 503
     * and returns false. Decided from the query's handle alone (as Electric, a POST body's is not read yet), before
     * any shape or snapshot work.
     */
    private boolean admit(ServerResponse res, String method, Map<String, List<String>> query,
                          Admission.Permit[] permit) {
        Admission.Kind kind = Admission.kindOf(first(query, "handle"), shapes);
        Optional<Admission.Permit> p = admission.tryAcquire(kind);
        if (p.isEmpty()) {
            admission.reject(res, method, kind, cache);
            return false;
        }
        permit[0] = p.get();
        return true;
    }

    /** A prepared answer: a shape's log ({@link ShapeReply}) or a subset snapshot ({@link SubsetReply}). */
    interface Reply {
        void send() throws Exception;
    }

    /**
     * Validates and resolves the request; null when a response (401, 400, 409, 413, 503) was sent instead. Kept apart
     * from {@link ShapeReply#send} so that what parsing needed (the query map, the parser's results) is garbage
     * before a live request parks: most connections of a busy server are parked long-polls.
     */
    private Reply prepare(ServerRequest req, ServerResponse res, String method, Admission.Permit[] permit)
            throws Exception {
        Map<String, List<String>> query = QueryString.parse(req.query().rawValue());
        if (!authorized(query)) {
            ShapeResponses.json(res, method, 401, ErrorBodies.message("Unauthorized - Invalid API secret"), cache);
            return null;
        }
        if (!admit(res, method, query, permit)) return null;
        Optional<Map<String, Object>> bodySubset = Optional.empty();
        if (method.equals("POST")) {
            switch (PostBody.read(req.content().inputStream())) {
                case PostBody.Rejected(int status, byte[] body) -> {
                    // The body may be partly unread, or its framing broken: the connection ends with this answer (on
                    // HTTP/2, where a Connection header is forbidden, the stream alone ends).
                    if (!ClientProtocol.http2(req)) res.header(HeaderValues.CONNECTION_CLOSE);
                    ShapeResponses.json(res, method, status, body, cache);
                    return null;
                }
                case PostBody.Parsed parsed -> {
                    query = parsed.over(query);
                    bodySubset = parsed.subset();
                }
            }
        }
        if (!readiness.await(STACK_READY_TIMEOUT)) {
            ShapeResponses.unavailable(res, method, readiness.notReadyMessage(), 5, cache);
            return null;
        }
        ShapeRequest request;
        switch (ShapeRequestParser.parse(query)) {
            case Validated.Invalid<ShapeRequest> invalid -> {
                ShapeResponses.invalid(res, method, invalid.errors(), cache);
                return null;
            }
            case Validated.Ok<ShapeRequest> ok -> request = ok.value();
        }
        Optional<Map<String, Object>> subset = SubsetRequest.raw(request.subset(), bodySubset);
        ShapeState shape = resolve(res, method, query, request);
        if (shape == null) return null;
        permit[0].snapshotStarted(shape);
        if (subset.isPresent()) return new SubsetReply(subsetDeps, method, res, request, shape, subset.get());
        return new ShapeReply(replyDeps, method, req, res, request, shape);
    }

    /**
     * The shape the request is for (docs/protocol.md §1.5), or null when a response (400, 409, 503) was sent. The fast
     * path asks no process and parses nothing: the parameters' alias names a live shape's canonical definition.
     */
    private ShapeState resolve(ServerResponse res, String method, Map<String, List<String>> query, ShapeRequest request)
            throws InterruptedException {
        ShapeDefinitionParams params = request.definition();
        DefinitionKey alias = aliases.get(params);
        Optional<String> handle = request.handle();
        if (alias != null) {
            // The live shape of this canonical definition, found by its key: no canonical form is rebuilt per request.
            // With a handle, that shape must be the one the handle names (else: a rotation, handled below).
            Optional<ShapeState> known = shapes.byDefinition(alias);
            if (known.isPresent() && (handle.isEmpty() || known.get().handle().equals(handle.get()))) return known.get();
        }
        Optional<ShapeDefinition> definition = define(res, method, query, params);
        if (definition.isEmpty()) return null;
        // The key object of the shape it resolves to, when there is one, so the alias shares it.
        DefinitionKey key = definition.get().key();
        if (handle.isPresent()) {
            Optional<ShapeState> known = shapes.byHandle(handle.get());
            if (known.isEmpty() || !known.get().definitionKey().equals(key)) {
                ShapeState fresh = shapes.getOrCreate(definition.get());
                aliases.put(params, fresh.definitionKey());
                ShapeResponses.mustRefetch(res, method, Optional.of(fresh.handle()), cache);
                return null;
            }
            aliases.put(params, known.get().definitionKey());
            return known.get();
        }
        ShapeState shape = shapes.getOrCreate(definition.get());
        aliases.put(params, shape.definitionKey());
        return shape;
    }

    /** Resolves the table and builds the definition, answering 400/503 itself when it cannot. */
    private Optional<ShapeDefinition> define(ServerResponse res, String method, Map<String, List<String>> query,
                                             ShapeDefinitionParams params) throws InterruptedException {
        Optional<TableInfo> table;
        Optional<String> refusal;
        try {
            table = tables.lookup(params.relation(), LOOKUP_TIMEOUT);
            refusal = tables.refusal(params.relation(), config.publicationName(), LOOKUP_TIMEOUT);
        } catch (DatabaseUnavailable e) {
            ShapeResponses.unavailable(res, method, "Could not read the table's metadata: " + e.getMessage(), 1, cache);
            return Optional.empty();
        }
        if (refusal.isPresent()) {
            // What Postgres would refuse to publish or read is the client's error (docs/protocol.md §1.4).
            ShapeResponses.invalid(res, method, RequestErrors.of("table", refusal.get()), cache);
            return Optional.empty();
        }
        if (table.isEmpty()) {
            String name = query.getOrDefault("table", List.of(params.relation().name())).getFirst();
            ShapeResponses.invalid(res, method, RequestErrors.of("table", "Table \"" + name + "\" does not exist. If"
                    + " the table name contains capitals or special characters you must quote it."), cache);
            return Optional.empty();
        }
        try {
            ShapeDefinition d = ShapeDefinition.create(table.get(), params.where(), params.params(), params.columns(),
                    params.replica(), params.logMode(), this::subselectTable);
            if (params.compaction() && d.hasSubqueries()) {
                // Ignored otherwise, as compaction is not built; Electric refuses the combination outright.
                ShapeResponses.invalid(res, method, RequestErrors.of("experimental_compaction",
                        "can't be enabled for shapes with subqueries"), cache);
                return Optional.empty();
            }
            return Optional.of(d);
        } catch (TableResolver.Unavailable e) {
            ShapeResponses.unavailable(res, method, "Could not read the table's metadata: " + e.getMessage(), 1, cache);
        } catch (WhereClauseException e) {
            ShapeResponses.invalid(res, method, RequestErrors.of(e.field(), e.getMessage()), cache);
        } catch (ShapeDefinitionException e) {
            ShapeResponses.invalid(res, method, RequestErrors.of(e.field(), e.getMessage()), cache);
        }
        return Optional.empty();
    }

    /**
     * The table a sub-select of a where clause names ({@code public} when it names no schema), as the shape's own
     * table is looked up; a table shapes may not read is the client's error, as for the shape's own table.
     */
    private TableInfo subselectTable(String schema, String name) {
        RelationName relation = new RelationName(schema == null ? "public" : schema, name);
        try {
            Optional<String> refusal = tables.refusal(relation, config.publicationName(), LOOKUP_TIMEOUT);
            if (refusal.isPresent()) throw WhereClauseException.plain(refusal.get());
            return tables.lookup(relation, LOOKUP_TIMEOUT).orElse(null);
        } catch (DatabaseUnavailable e) {
            throw new TableResolver.Unavailable(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TableResolver.Unavailable("interrupted", e);
        }
    }

    void delete(ServerRequest req, ServerResponse res) {
        try {
            Map<String, List<String>> query = QueryString.parse(req.query().rawValue());
            if (!config.integrationTesting()) {
                ShapeResponses.json(res, "DELETE", 405, ErrorBodies.message("DELETE not allowed"), cache);
                return;
            }
            if (!authorized(query)) {
                ShapeResponses.json(res, "DELETE", 401, ErrorBodies.message("Unauthorized - Invalid API secret"), cache);
                return;
            }
            if (!readiness.await(STACK_READY_TIMEOUT)) {
                ShapeResponses.unavailable(res, "DELETE", readiness.notReadyMessage(), 5, cache);
                return;
            }
            DeleteShapeRequest request;
            switch (ShapeRequestParser.parseDelete(query)) {
                case Validated.Invalid<DeleteShapeRequest> invalid -> {
                    ShapeResponses.invalid(res, "DELETE", invalid.errors(), cache);
                    return;
                }
                case Validated.Ok<DeleteShapeRequest> ok -> request = ok.value();
            }
            Optional<String> handle = resolveForDelete(res, query, request);
            if (handle == null) return;
            if (handle.isEmpty() || !shapes.delete(handle.get())) {
                ShapeResponses.json(res, "DELETE", 404, ErrorBodies.message("No existing shape found"), cache);
                return;
            }
            res.status(202);
            res.header("cache-control", "no-cache");
            res.send();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ShapesUnavailable e) {
            if (!res.isSent()) ShapeResponses.unavailable(res, "DELETE", "The shape could not be deleted, try again", 1, cache);
        } catch (Exception e) {
            failed(res, "DELETE", e);
        }
    }

    /** The handle to delete; empty when nothing matches; null when a response was already sent. */
    private Optional<String> resolveForDelete(ServerResponse res, Map<String, List<String>> query,
                                              DeleteShapeRequest request) throws InterruptedException {
        if (request.definition().isEmpty()) return request.handle();
        Optional<ShapeDefinition> d = define(res, "DELETE", query, request.definition().get());
        if (d.isEmpty()) return null;
        Optional<ShapeState> byDefinition = shapes.byDefinition(d.get().key());
        if (request.handle().isPresent()) {
            Optional<ShapeState> byHandle = shapes.byHandle(request.handle().get());
            boolean mismatch = byDefinition.isPresent() && !byDefinition.get().handle().equals(request.handle().get())
                    || byHandle.isPresent() && !byHandle.get().definitionKey().equals(d.get().key());
            if (mismatch) {
                ShapeResponses.invalid(res, "DELETE", RequestErrors.of("handle", "The specified shape definition and"
                        + " handle do not match"), cache);
                return null;
            }
            return request.handle();
        }
        return byDefinition.map(ShapeState::handle);
    }

    void options(ServerRequest req, ServerResponse res) {
        res.status(204);
        res.header("access-control-max-age", "86400");
        if (!ClientProtocol.http2(req)) res.header("connection", "keep-alive"); // forbidden on HTTP/2
        String requested = req.headers().first(HeaderNames.create("access-control-request-headers")).orElse("");
        List<String> allowed = Arrays.stream(requested.split(","))
                .map(h -> h.trim().toLowerCase(Locale.ROOT))
                .filter(h -> h.equals("if-none-match") || h.equals("traceparent"))
                .toList();
        if (!allowed.isEmpty()) res.header("access-control-allow-headers", String.join(", ", allowed));
        res.send();
    }

    private boolean authorized(Map<String, List<String>> query) {
        if (config.secret().isEmpty()) return true;
        String given = first(query, "secret").or(() -> first(query, "api_secret")).orElse(null);
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                config.secret().get().getBytes(StandardCharsets.UTF_8));
    }

    /** A write to a client that closed its connection: expected for aborted and timed-out requests. */
    private static boolean clientWentAway(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ServerConnectionException || t instanceof IOException) return true;
        }
        return false;
    }

    private static Optional<String> first(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.getFirst());
    }

    private void failed(ServerResponse res, String method, Exception e) {
        if (clientWentAway(e)) {
            log.debug("{} /v1/shape: the client went away: {}", method, e.getMessage());
            return;
        }
        log.error("{} /v1/shape failed", method, e);
        if (!res.isSent()) {
            try {
                ShapeResponses.json(res, method, 500, ErrorBodies.error("Internal server error"), cache);
            } catch (RuntimeException ignored) {
                // the response was already committed: the client sees a truncated body and retries
            }
        }
    }
}
