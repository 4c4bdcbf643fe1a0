package dev.ampere.testing;

import dev.ampere.Ampere;
import dev.ampere.config.Config;
import dev.ampere.stack.StackEvent;
import dev.ampere.stack.StackStatus;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An Ampere on its own fresh database of the test server, ready to serve, with helpers for SQL and HTTP. Closing it
 * stops Ampere and drops its slot.
 */
public final class RunningAmpere implements AutoCloseable {
    public final String database;
    public final String streamId;
    public final Ampere ampere;
    private final HttpClient http = HttpClient.newHttpClient();

    public RunningAmpere(String... env) throws Exception {
        this(TestDatabase.createDatabase(), null, Files.createTempDirectory("ampere-test"), env);
    }

    /** As above, with the shape storage in {@code storage} (a small volume, for instance). */
    public RunningAmpere(Path storage, String... env) throws Exception {
        this(TestDatabase.createDatabase(), null, storage, env);
    }

    /** An Ampere on an existing database of the test server, connecting with {@code databaseUrl} (another role). */
    public static RunningAmpere withDatabaseUrl(String database, String databaseUrl, String... env) throws Exception {
        return new RunningAmpere(database, databaseUrl, Files.createTempDirectory("ampere-test"), env);
    }

    private RunningAmpere(String database, String databaseUrl, Path storage, String[] env) throws Exception {
        this.database = database;
        streamId = TestConfig.newStreamId();
        Config config = TestConfig.config(databaseUrl != null ? databaseUrl : TestDatabase.databaseUrl(database),
                streamId, storage, env);
        ampere = Ampere.start(config);
        try (EventLog log = new EventLog(ampere.stack().events())) {
            if (ampere.stack().events().status() != StackStatus.ACTIVE) log.await(StackEvent.Ready.class, 60);
        }
    }

    public void sql(String... statements) throws Exception {
        try (Connection c = TestDatabase.connect(database); Statement s = c.createStatement()) {
            for (String q : statements) s.execute(q);
        }
    }

    /** GET /v1/shape with the given parameters (name, value pairs) and request headers. */
    public HttpResponse<String> shape(Map<String, String> params, String... headers) throws Exception {
        return send("GET", params, headers);
    }

    public HttpResponse<String> send(String method, Map<String, String> params, String... headers) throws Exception {
        String query = params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + ampere.httpPort() + "/v1/shape?" + query))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(60));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static Map<String, String> params(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Override
    public void close() throws Exception {
        ampere.close();
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'electric_slot_"
                    + streamId + "' AND NOT active");
        }
    }
}
