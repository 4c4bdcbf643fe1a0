package dev.ampere.testing;

import dev.ampere.postgres.EmbeddedPostgresServer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real Postgres (embedded binaries, {@code wal_level=logical}) per test JVM, started on first use and stopped
 * when the JVM exits. Tests that need isolation create their own database with {@link #createDatabase()}.
 *
 * <p>Threading: safe for concurrent use; the server is started once under the class lock.
 */
public final class TestDatabase {
    private static final AtomicInteger NEXT_DB = new AtomicInteger();
    private static EmbeddedPostgresServer server;

    private TestDatabase() {}

    public static synchronized EmbeddedPostgresServer server() {
        if (server == null) {
            server = EmbeddedPostgresServer.start(null, 0);
            EmbeddedPostgresServer s = server;
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(s::close));
        }
        return server;
    }

    /** A JDBC connection to the default {@code postgres} database. */
    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(server().jdbcUrl());
    }

    /** Creates a fresh, empty database and returns its name. */
    public static String createDatabase() throws SQLException {
        String name = "test_" + ProcessHandle.current().pid() + "_" + NEXT_DB.incrementAndGet();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return name;
    }

    /** {@code postgresql://} URL (the {@code DATABASE_URL} form) of a database on the test server. */
    public static String databaseUrl(String database) {
        return "postgresql://postgres:postgres@localhost:" + server().port() + "/" + database + "?sslmode=disable";
    }

    /** JDBC URL of a database on the test server. */
    public static String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + server().port() + "/" + database + "?user=postgres";
    }

    public static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database));
    }
}
