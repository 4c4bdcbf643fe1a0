package dev.ampere.postgres.wal;

import org.postgresql.PGProperty;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Opens pgjdbc connections in logical replication mode ({@code replication=database}, simple query protocol) with
 * the display settings of PROTOCOL.md §1.11 applied to the session, so that pgoutput's text values match what the
 * snapshot query produces: {@code bytea_output=hex}, {@code DateStyle=ISO, DMY}, {@code TimeZone=UTC},
 * {@code extra_float_digits=1}, {@code IntervalStyle=iso_8601}.
 *
 * <p>The settings are passed as {@code options=-c ...}, and set again with {@code SET} after connecting, because
 * pgjdbc sends its own {@code TimeZone} (the JVM's), {@code DateStyle} and {@code extra_float_digits} startup
 * parameters, which Postgres applies after {@code options}. Stateless; thread-safe.
 */
public final class ReplicationConnections {
    /** The {@code options} startup parameter carrying the display settings. */
    public static final String DISPLAY_OPTIONS = "-c bytea_output=hex -c DateStyle=ISO,DMY -c TimeZone=UTC"
            + " -c extra_float_digits=1 -c IntervalStyle=iso_8601";

    private static final String[] DISPLAY_SETTINGS = {
        "SET bytea_output = 'hex'", "SET DateStyle = 'ISO, DMY'", "SET TimeZone = 'UTC'",
        "SET extra_float_digits = 1", "SET IntervalStyle = 'iso_8601'",
    };

    private ReplicationConnections() {}

    /** The properties of a replication connection, on top of {@code base} (user, password, ssl, ...). */
    public static Properties replicationProperties(Properties base) {
        Properties p = new Properties();
        p.putAll(base);
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        PGProperty.OPTIONS.set(p, DISPLAY_OPTIONS);
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
            for (String sql : DISPLAY_SETTINGS) s.execute(sql);
        }
    }
}
