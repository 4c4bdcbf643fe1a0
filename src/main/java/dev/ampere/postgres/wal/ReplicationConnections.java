package dev.ampere.postgres.wal;

import dev.ampere.config.SessionSettings;

import org.postgresql.PGProperty;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Opens pgjdbc connections in logical replication mode ({@code replication=database}, simple query protocol) with
 * the display settings of docs/protocol.md §1.11 applied to the session, so that pgoutput's text values match what the
 * snapshot query produces: {@code bytea_output=hex}, {@code DateStyle=ISO, DMY}, {@code TimeZone=UTC},
 * {@code extra_float_digits=1}, {@code IntervalStyle=iso_8601}.
 *
 * <p>The settings are passed as {@code options=-c ...}, and set again with {@code SET} after connecting, because
 * pgjdbc sends its own {@code TimeZone} (the JVM's), {@code DateStyle} and {@code extra_float_digits} startup
 * parameters, which Postgres applies after {@code options}. Stateless; thread-safe.
 */
public final class ReplicationConnections {

    private ReplicationConnections() {}

    /** The properties of a replication connection, on top of {@code base} (user, password, ssl, ...). */
    public static Properties replicationProperties(Properties base) {
        Properties p = new Properties();
        p.putAll(base);
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        PGProperty.OPTIONS.set(p, SessionSettings.OPTIONS);
        return p;
    }

    /** Opens a replication connection to {@code jdbcUrl} and applies the display settings. */
    public static Connection open(String jdbcUrl, Properties base) throws SQLException {
        Connection c = DriverManager.getConnection(jdbcUrl, replicationProperties(base));
        try {
            applyDisplaySettings(c);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Sets the display settings on a session (a walsender accepts SET in simple query mode). */
    public static void applyDisplaySettings(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : SessionSettings.SET_STATEMENTS) s.execute(sql);
        }
    }
}
