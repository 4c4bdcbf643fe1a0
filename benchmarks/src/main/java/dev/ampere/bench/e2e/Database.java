package dev.ampere.bench.e2e;

import dev.ampere.postgres.EmbeddedPostgresServer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The benchmark's Postgres: an {@link EmbeddedPostgresServer} (real binaries, {@code wal_level=logical}) reached over
 * 127.0.0.1, with helpers for the benchmark tables and for dropping the slots that stopped Ampere instances leave.
 */
final class Database implements AutoCloseable {
    private final EmbeddedPostgresServer server;

    private Database(EmbeddedPostgresServer server) {
        this.server = server;
    }

    static Database start() {
        return new Database(EmbeddedPostgresServer.start(null, 0));
    }

    int port() {
        return server.port();
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
    }

    /** In the form Ampere's {@code DATABASE_URL} takes. */
    String databaseUrl() {
        return "postgresql://postgres:postgres@127.0.0.1:" + port() + "/postgres?sslmode=disable";
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), credentials());
    }

    static Properties credentials() {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", "postgres");
        return p;
    }

    void execute(String... sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String q : sql) s.execute(q);
        }
    }

    /** A table of {@code (id bigint PK, owner int, payload text)} with an index on owner. */
    void createItemsTable(String table) throws SQLException {
        execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, owner int NOT NULL, payload text)",
                "CREATE INDEX " + table + "_owner ON " + table + " (owner)");
    }

    /** Drops replication slots nobody is connected to (those of Ampere instances already stopped). */
    void dropInactiveSlots() throws SQLException {
        execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active"
                + " AND slot_name LIKE 'electric_slot_%'");
    }

    @Override
    public void close() {
        server.close();
    }
}
