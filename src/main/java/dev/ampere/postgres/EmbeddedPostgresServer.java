package dev.ampere.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;

/**
 * A real Postgres server started from the binaries that the build brings from Maven Central (zonky), configured for
 * logical replication. It is the development default of {@code scripts/run} when no {@code DATABASE_URL} is given,
 * and the database of the integration tests.
 *
 * <p>Threading: start and close from one thread; the accessors are immutable after start.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * Starts Postgres on {@code port} (0 picks a free one). With a {@code dataDir} the cluster is kept across starts;
     * without one a throw-away cluster is made in a temporary folder.
     */
    public static EmbeddedPostgresServer start(Path dataDir, int port) {
        return start(dataDir, port, "logical");
    }

    /** As {@link #start(Path, int)} with another {@code wal_level} (tests of the misconfigured case use it). */
    public static EmbeddedPostgresServer start(Path dataDir, int port, String walLevel) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("wal_level", walLevel)
                    .setServerConfig("max_wal_senders", "100")
                    .setServerConfig("max_replication_slots", "100")
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "on")
                    .setServerConfig("timezone", "UTC");
            if (port > 0) builder.setPort(port);
            if (dataDir != null) {
                builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
            }
            return new EmbeddedPostgresServer(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded Postgres", e);
        } catch (IllegalStateException e) {
            // zonky locks <dataDir>/epg-lock: held by this process (overlapping lock) or another one ("could not lock").
            boolean locked = e instanceof OverlappingFileLockException || String.valueOf(e.getMessage()).startsWith("could not lock");
            if (dataDir != null && locked) {
                throw new DataDirectoryInUse(dataDir);
            }
            throw e;
        }
    }

    /** The data directory is locked by another embedded Postgres: another Ampere runs on the same data. */
    public static final class DataDirectoryInUse extends RuntimeException {
        DataDirectoryInUse(Path dataDir) {
            super("the embedded Postgres data directory " + dataDir + " is in use by another Ampere; stop that one"
                    + " first, or set AMPERE_EMBEDDED_PG_DIR (and AMPERE_EMBEDDED_PG_PORT) to run a second one", null,
                    false, false);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    /** A {@code postgresql://} URL in the form {@code DATABASE_URL} takes. */
    public String databaseUrl() {
        return "postgresql://postgres:postgres@localhost:" + port() + "/postgres?sslmode=disable";
    }

    /** A JDBC URL for the {@code postgres} database as the {@code postgres} superuser. */
    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port() + "/postgres?user=postgres";
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
