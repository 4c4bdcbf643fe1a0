package dev.ampere;

import dev.ampere.config.Config;
import dev.ampere.config.ConfigException;
import dev.ampere.config.DatabaseUrl;
import dev.ampere.postgres.EmbeddedPostgresServer;
import dev.ampere.stack.StackEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;

/**
 * Starts Ampere from the environment. Without {@code DATABASE_URL} it first starts an embedded Postgres (real
 * binaries from Maven Central, {@code wal_level=logical}) whose data survives restarts in
 * {@code AMPERE_EMBEDDED_PG_DIR} (default {@code ./data/postgres}), on {@code AMPERE_EMBEDDED_PG_PORT} (54321).
 * A configuration error or a fatal database error ends the process with status 1 and a one-line message.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) throws Exception {
        LogBridge.install();
        Map<String, String> env = System.getenv();
        Config config;
        try {
            config = Config.fromEnvironment(env);
        } catch (ConfigException e) {
            System.err.println("ampere: invalid configuration: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (config.jsonLogs()) LogFormat.useJson(config.stackId(), System.err);
        EmbeddedPostgresServer embedded = null;
        if (config.databaseUrl().isEmpty()) {
            Path dir = Path.of(env.getOrDefault("AMPERE_EMBEDDED_PG_DIR", "./data/postgres")).toAbsolutePath().normalize();
            int port = Integer.parseInt(env.getOrDefault("AMPERE_EMBEDDED_PG_PORT", "54321"));
            log.info("no DATABASE_URL: starting an embedded Postgres in {}", dir);
            try {
                embedded = EmbeddedPostgresServer.start(dir, port);
            } catch (EmbeddedPostgresServer.DataDirectoryInUse e) {
                System.err.println("ampere: " + e.getMessage());
                System.exit(1);
                return;
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                System.err.println("ampere: could not start the embedded Postgres in " + dir + ": " + cause.getMessage());
                System.exit(1);
                return;
            }
            config = config.withDatabase(DatabaseUrl.parse("DATABASE_URL", embedded.databaseUrl()));
            log.info("embedded Postgres is up; connect with: psql '{}'", embedded.databaseUrl());
        }
        Ampere ampere = Ampere.start(config);
        EmbeddedPostgresServer db = embedded;
        ampere.stack().events().subscribe(event -> {
            if (event instanceof StackEvent.Fatal) {
                // Halt from another thread: System.exit runs the shutdown hook, which stops the stack whose
                // process published this event.
                Thread.ofPlatform().start(() -> System.exit(1));
            }
        });
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            log.info("stopping");
            ampere.close();
            if (db != null) db.close();
        }));
        log.info("Ampere is listening on {}://localhost:{} (HTTP/1.1 and HTTP/2; shapes at /v1/shape, health at"
                + " /v1/health)", config.tls().isPresent() ? "https" : "http", ampere.httpPort());
    }
}
