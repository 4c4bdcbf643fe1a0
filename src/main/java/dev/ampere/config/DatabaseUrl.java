package dev.ampere.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A parsed {@code postgres[ql]://user[:password]@host[:port]/database[?sslmode=...]} URL (Electric's
 * {@code DATABASE_URL} form) and its translation to pgjdbc: a JDBC URL plus connection properties, so that
 * passwords never appear in a URL we log.
 *
 * <p>Immutable.
 */
public record DatabaseUrl(String host, int port, String database, String user, String password, String sslMode,
                          Map<String, String> options) {
    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require");
    private static final Set<String> KNOWN_OPTIONS = Set.of("sslmode", "application_name", "connect_timeout", "options");

    public DatabaseUrl {
        options = Map.copyOf(options);
    }

    /** Parses {@code text} as the value of {@code variable}; errors name the variable and never echo a password. */
    public static DatabaseUrl parse(String variable, String text) {
        String rest;
        if (text.startsWith("postgresql://")) rest = text.substring("postgresql://".length());
        else if (text.startsWith("postgres://")) rest = text.substring("postgres://".length());
        else throw new ConfigException(variable, "must start with postgresql:// or postgres://");

        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            user = decode(colon >= 0 ? userInfo.substring(0, colon) : userInfo);
            password = colon >= 0 ? decode(userInfo.substring(colon + 1)) : null;
        }
        if (user == null || user.isEmpty()) throw new ConfigException(variable, "must name a user (postgresql://user@host/db)");

        String database = "postgres";
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String db = decode(rest.substring(slash + 1));
            if (!db.isEmpty()) database = db;
            rest = rest.substring(0, slash);
        }
        String host = rest;
        int port = 5432;
        int colon = hostPortSeparator(rest);
        if (colon >= 0) {
            host = rest.substring(0, colon);
            try {
                port = Integer.parseInt(rest.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ConfigException(variable, "invalid port \"" + rest.substring(colon + 1) + "\"");
            }
            if (port < 1 || port > 65535) throw new ConfigException(variable, "invalid port " + port);
        }
        if (host.isEmpty()) throw new ConfigException(variable, "must name a host");

        Map<String, String> options = parseQuery(variable, query);
        String sslMode = options.getOrDefault("sslmode", "prefer");
        if (sslMode.equals("verify-ca") || sslMode.equals("verify-full")) {
            throw new ConfigException(variable, "sslmode=" + sslMode + " is not supported; use disable, allow, prefer or require");
        }
        if (!SSL_MODES.contains(sslMode)) throw new ConfigException(variable, "unknown sslmode \"" + sslMode + "\"");
        return new DatabaseUrl(host, port, database, user, password, sslMode, options);
    }

    private static int hostPortSeparator(String hostPort) {
        if (hostPort.startsWith("[")) { // IPv6 literal
            int close = hostPort.indexOf(']');
            return close >= 0 && close + 1 < hostPort.length() && hostPort.charAt(close + 1) == ':' ? close + 1 : -1;
        }
        return hostPort.lastIndexOf(':');
    }

    private static Map<String, String> parseQuery(String variable, String query) {
        Map<String, String> options = new LinkedHashMap<>();
        if (query.isEmpty()) return options;
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String key = decode(eq >= 0 ? pair.substring(0, eq) : pair);
            String value = eq >= 0 ? decode(pair.substring(eq + 1)) : "";
            if (key.equals("replication")) {
                throw new ConfigException(variable, "must not set replication; Ampere opens its replication connection itself");
            }
            if (!KNOWN_OPTIONS.contains(key)) {
                throw new ConfigException(variable, "unsupported option \"" + key + "\" (supported: " + String.join(", ", KNOWN_OPTIONS.stream().sorted().toList()) + ")");
            }
            options.put(key, value);
        }
        return options;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The JDBC URL, without credentials. */
    public String jdbcUrl() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + database;
    }

    /**
     * pgjdbc connection properties: credentials, SSL mode and the session settings every Ampere connection uses, so
     * that values come out of Postgres in the text format the Shape API serves (docs/protocol.md §1.11).
     */
    public Properties jdbcProperties() {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        p.setProperty("sslmode", sslMode);
        p.setProperty("ApplicationName", options.getOrDefault("application_name", "ampere"));
        if (options.containsKey("connect_timeout")) p.setProperty("connectTimeout", options.get("connect_timeout"));
        String extra = options.getOrDefault("options", "");
        p.setProperty("options", (SessionSettings.OPTIONS + " " + extra).trim());
        p.setProperty("tcpKeepAlive", "true");
        return p;
    }

    /** {@code user@host:port/database}, safe to log. */
    public String describe() {
        return user + "@" + host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + describe() + ", sslmode=" + sslMode + "]";
    }
}
