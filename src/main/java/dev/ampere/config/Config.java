package dev.ampere.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Ampere's configuration, read from the environment under Electric's variable names (docs/protocol.md §5). Every value is
 * checked when read; a bad one raises a {@link ConfigException} whose one-line message names the variable.
 *
 * <p>Immutable.
 *
 * @param databaseUrl         {@code DATABASE_URL}; empty means "start an embedded Postgres" (the dev default)
 * @param pooledDatabaseUrl   {@code ELECTRIC_POOLED_DATABASE_URL} (or the deprecated {@code ELECTRIC_QUERY_DATABASE_URL})
 * @param port                {@code ELECTRIC_PORT}, 3000
 * @param listenOnIpv6        {@code ELECTRIC_LISTEN_ON_IPV6}, false
 * @param storageDir          {@code ELECTRIC_STORAGE_DIR}, {@code ./persistent}
 * @param replicationStreamId {@code ELECTRIC_REPLICATION_STREAM_ID}, {@code default}
 * @param temporarySlot       {@code CLEANUP_REPLICATION_SLOTS_ON_SHUTDOWN}, false
 * @param dbPoolSize          {@code ELECTRIC_DB_POOL_SIZE}, 20
 * @param stackId             {@code ELECTRIC_DATABASE_ID}, {@code single_stack}
 * @param longPollTimeout     {@code ELECTRIC_LONG_POLL_TIMEOUT} in ms, 20000
 * @param cacheMaxAge         {@code ELECTRIC_CACHE_MAX_AGE} in s, 60
 * @param cacheStaleAge       {@code ELECTRIC_CACHE_STALE_AGE} in s, 300
 * @param chunkBytesThreshold {@code ELECTRIC_SHAPE_CHUNK_BYTES_THRESHOLD}, 10485760
 * @param integrationTesting  {@code ELECTRIC_ENABLE_INTEGRATION_TESTING}, false (enables DELETE /v1/shape)
 * @param secret              {@code ELECTRIC_SECRET}; exactly one of it and {@code ELECTRIC_INSECURE=true} is required
 * @param insecure            {@code ELECTRIC_INSECURE}
 * @param shapeHibernateAfter {@code ELECTRIC_SHAPE_HIBERNATE_AFTER} in ms, 30000: how long an idle shape's consumer
 *                            keeps its thread before it hibernates
 * @param http                timeouts and the connection cap of the HTTP server
 * @param prometheusPort      {@code ELECTRIC_PROMETHEUS_PORT}: where {@code /metrics} is served; unset, none (0: any free port)
 * @param jsonLogs            {@code ELECTRIC_LOG_FORMAT=json}: one JSON object per log line ({@code text}, the default)
 * @param requestLimits       {@code ELECTRIC_MAX_CONCURRENT_REQUESTS}, {@code {"initial":300,"existing":10000}}
 * @param maxShapes           {@code ELECTRIC_MAX_SHAPES} (or the deprecated {@code ELECTRIC_EXPERIMENTAL_MAX_SHAPES});
 *                            0, the default, means no limit
 * @param compression         {@code AMPERE_COMPRESSION}, true: gzip-encode shape responses for clients that accept it
 *                            (docs/protocol.md §1.16); false sends every body as it is
 * @param tls                 {@code AMPERE_TLS_CERTIFICATE_FILE} and {@code AMPERE_TLS_KEY_FILE}: serve over TLS (h2 and
 *                            http/1.1 by ALPN); unset, cleartext HTTP/1.1 and h2c
 */
public record Config(Optional<DatabaseUrl> databaseUrl, Optional<DatabaseUrl> pooledDatabaseUrl, int port,
                     boolean listenOnIpv6, Path storageDir, String replicationStreamId, boolean temporarySlot,
                     int dbPoolSize, String stackId, Duration longPollTimeout, int cacheMaxAge, int cacheStaleAge,
                     long chunkBytesThreshold, boolean integrationTesting, Optional<String> secret, boolean insecure,
                     Duration shapeHibernateAfter, HttpLimits http, Optional<Integer> prometheusPort,
                     boolean jsonLogs, RequestLimits requestLimits, int maxShapes, boolean compression,
                     Optional<TlsFiles> tls) {

    private static final Pattern STREAM_ID = Pattern.compile("[a-z0-9_]{1,40}");
    private static final Pattern STACK_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** Reads the configuration from {@code env} (normally {@link System#getenv()}). */
    public static Config fromEnvironment(Map<String, String> env) {
        EnvReader r = new EnvReader(env);
        Optional<DatabaseUrl> db = r.string("DATABASE_URL").map(v -> DatabaseUrl.parse("DATABASE_URL", v));
        Optional<DatabaseUrl> pooled = r.string("ELECTRIC_POOLED_DATABASE_URL")
                .map(v -> DatabaseUrl.parse("ELECTRIC_POOLED_DATABASE_URL", v))
                .or(() -> r.string("ELECTRIC_QUERY_DATABASE_URL").map(v -> DatabaseUrl.parse("ELECTRIC_QUERY_DATABASE_URL", v)));
        String streamId = r.string("ELECTRIC_REPLICATION_STREAM_ID").orElse("default");
        if (!STREAM_ID.matcher(streamId).matches()) {
            throw new ConfigException("ELECTRIC_REPLICATION_STREAM_ID",
                    "must be 1 to 40 lower-case letters, digits or underscores (got \"" + streamId + "\")");
        }
        String stackId = r.string("ELECTRIC_DATABASE_ID").orElse("single_stack");
        if (!STACK_ID.matcher(stackId).matches()) {
            throw new ConfigException("ELECTRIC_DATABASE_ID",
                    "must be 1 to 64 letters, digits, '_', '.' or '-' (got \"" + stackId + "\")");
        }
        Optional<String> secret = r.string("ELECTRIC_SECRET");
        if (secret.isEmpty() && env.containsKey("ELECTRIC_SECRET")) {
            // Set but empty is a mistake, never a request to serve without a secret.
            throw new ConfigException("ELECTRIC_SECRET", "is set but empty; give it the secret clients must send,"
                    + " or unset it and set ELECTRIC_INSECURE=true to serve shapes without one");
        }
        boolean insecure = r.bool("ELECTRIC_INSECURE", false);
        if (secret.isPresent() && insecure) {
            throw new ConfigException("ELECTRIC_SECRET", "cannot be set together with ELECTRIC_INSECURE=true");
        }
        if (secret.isEmpty() && !insecure) {
            throw new ConfigException("ELECTRIC_SECRET",
                    "must be set, or ELECTRIC_INSECURE=true to serve shapes without a secret");
        }
        return new Config(db, pooled,
                r.integer("ELECTRIC_PORT", 3000, 1, 65535),
                r.bool("ELECTRIC_LISTEN_ON_IPV6", false),
                Path.of(r.string("ELECTRIC_STORAGE_DIR").orElse("./persistent")),
                streamId,
                r.bool("CLEANUP_REPLICATION_SLOTS_ON_SHUTDOWN", false),
                r.integer("ELECTRIC_DB_POOL_SIZE", 20, 1, 1000),
                stackId,
                Duration.ofMillis(r.integer("ELECTRIC_LONG_POLL_TIMEOUT", 20_000, 1, 3_600_000)),
                r.integer("ELECTRIC_CACHE_MAX_AGE", 60, 0, Integer.MAX_VALUE),
                r.integer("ELECTRIC_CACHE_STALE_AGE", 300, 0, Integer.MAX_VALUE),
                r.longValue("ELECTRIC_SHAPE_CHUNK_BYTES_THRESHOLD", 10_485_760L, 1, Long.MAX_VALUE),
                r.bool("ELECTRIC_ENABLE_INTEGRATION_TESTING", false),
                secret, insecure,
                Duration.ofMillis(r.integer("ELECTRIC_SHAPE_HIBERNATE_AFTER", 30_000, 1, Integer.MAX_VALUE)),
                HttpLimits.read(r),
                r.string("ELECTRIC_PROMETHEUS_PORT").map(v -> r.integer("ELECTRIC_PROMETHEUS_PORT", 0, 0, 65535)),
                logFormat(r),
                r.string("ELECTRIC_MAX_CONCURRENT_REQUESTS").map(RequestLimits::parse).orElse(RequestLimits.DEFAULT),
                r.string("ELECTRIC_MAX_SHAPES").isPresent()
                        ? r.integer("ELECTRIC_MAX_SHAPES", 0, 0, Integer.MAX_VALUE)
                        : r.integer("ELECTRIC_EXPERIMENTAL_MAX_SHAPES", 0, 0, Integer.MAX_VALUE),
                r.bool("AMPERE_COMPRESSION", true),
                TlsFiles.read(r));
    }

    private static boolean logFormat(EnvReader r) {
        String format = r.string("ELECTRIC_LOG_FORMAT").orElse("text");
        return switch (format.toLowerCase(java.util.Locale.ROOT)) {
            case "json" -> true;
            case "text" -> false;
            default -> throw new ConfigException("ELECTRIC_LOG_FORMAT", "must be text or json (got \"" + format + "\")");
        };
    }

    /** The URL for pooled (non-replication) connections: the pooled URL when given, else the main one. */
    public Optional<DatabaseUrl> queryDatabaseUrl() {
        return pooledDatabaseUrl.or(() -> databaseUrl);
    }

    /** {@code electric_publication_<id>}. */
    public String publicationName() {
        return "electric_publication_" + replicationStreamId;
    }

    /** {@code electric_slot_<id>}. */
    public String slotName() {
        return "electric_slot_" + replicationStreamId;
    }

    /** The same configuration with another database (used when the embedded Postgres is started). */
    public Config withDatabase(DatabaseUrl url) {
        return new Config(Optional.of(url), pooledDatabaseUrl, port, listenOnIpv6, storageDir, replicationStreamId,
                temporarySlot, dbPoolSize, stackId, longPollTimeout, cacheMaxAge, cacheStaleAge, chunkBytesThreshold,
                integrationTesting, secret, insecure, shapeHibernateAfter, http, prometheusPort, jsonLogs,
                requestLimits, maxShapes, compression, tls);
    }

    public Config withPort(int newPort) {
        return new Config(databaseUrl, pooledDatabaseUrl, newPort, listenOnIpv6, storageDir, replicationStreamId,
                temporarySlot, dbPoolSize, stackId, longPollTimeout, cacheMaxAge, cacheStaleAge, chunkBytesThreshold,
                integrationTesting, secret, insecure, shapeHibernateAfter, http, prometheusPort, jsonLogs,
                requestLimits, maxShapes, compression, tls);
    }
}
