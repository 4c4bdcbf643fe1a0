package dev.ampere.connection;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ampere.config.DatabaseUrl;
import dev.ampere.config.SessionSettings;

/**
 * Opens the HikariCP pool for snapshot and catalog queries ({@code ELECTRIC_DB_POOL_SIZE} connections) with the
 * Shape API's session settings on every connection.
 */
public final class QueryPool {
    private QueryPool() {}

    public static HikariDataSource open(DatabaseUrl url, int size, String stackId) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("ampere-" + stackId);
        hc.setJdbcUrl(url.jdbcUrl());
        java.util.Properties props = url.jdbcProperties();
        // Text results only: values must be Postgres's own text output, byte for byte what pgoutput sends.
        props.setProperty("binaryTransfer", "false");
        hc.setDataSourceProperties(props);
        hc.setMaximumPoolSize(size);
        hc.setMinimumIdle(Math.min(2, size));
        hc.setConnectionTimeout(5_000);
        hc.setValidationTimeout(2_000);
        hc.setConnectionInitSql(String.join("; ", SessionSettings.SET_STATEMENTS));
        // The pool is opened once the replication connection is up, so the server is reachable; should it go away
        // later, the lock connection notices and the whole connection tree restarts.
        hc.setInitializationFailTimeout(-1);
        return new HikariDataSource(hc);
    }
}
