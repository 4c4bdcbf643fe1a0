package dev.ampere.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ConfigTest {
    private static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("ELECTRIC_INSECURE", "true");
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void defaultsFollowElectric() {
        Config c = Config.fromEnvironment(env());
        assertTrue(c.databaseUrl().isEmpty());
        assertEquals(3000, c.port());
        assertEquals("electric_slot_default", c.slotName());
        assertEquals("electric_publication_default", c.publicationName());
        assertEquals(20, c.dbPoolSize());
        assertEquals("single_stack", c.stackId());
        assertEquals(Duration.ofSeconds(20), c.longPollTimeout());
        assertEquals(10_485_760L, c.chunkBytesThreshold());
        assertEquals(60, c.cacheMaxAge());
        assertEquals(300, c.cacheStaleAge());
        assertFalse(c.integrationTesting());
        assertEquals(Duration.ofSeconds(30), c.shapeHibernateAfter());
    }

    @Test
    void readsEveryVariable() {
        Config c = Config.fromEnvironment(env("DATABASE_URL", "postgresql://u:p%40ss@db.example:6543/app?sslmode=require",
                "ELECTRIC_PORT", "4000", "ELECTRIC_STORAGE_DIR", "/tmp/x", "ELECTRIC_REPLICATION_STREAM_ID", "blue_2",
                "ELECTRIC_DB_POOL_SIZE", "7", "ELECTRIC_DATABASE_ID", "stack-a", "ELECTRIC_LONG_POLL_TIMEOUT", "1500",
                "ELECTRIC_SHAPE_CHUNK_BYTES_THRESHOLD", "10000", "ELECTRIC_ENABLE_INTEGRATION_TESTING", "true",
                "ELECTRIC_SHAPE_HIBERNATE_AFTER", "250"));
        DatabaseUrl db = c.databaseUrl().orElseThrow();
        assertEquals("db.example", db.host());
        assertEquals(6543, db.port());
        assertEquals("app", db.database());
        assertEquals("u", db.user());
        assertEquals("p@ss", db.password());
        assertEquals("require", db.sslMode());
        assertEquals("jdbc:postgresql://db.example:6543/app", db.jdbcUrl());
        assertEquals("p@ss", db.jdbcProperties().getProperty("password"));
        assertFalse(db.toString().contains("p@ss"), "never print the password");
        assertEquals(4000, c.port());
        assertEquals("electric_slot_blue_2", c.slotName());
        assertEquals(7, c.dbPoolSize());
        assertEquals("stack-a", c.stackId());
        assertEquals(Duration.ofMillis(1500), c.longPollTimeout());
        assertEquals(10000, c.chunkBytesThreshold());
        assertTrue(c.integrationTesting());
        assertEquals(Duration.ofMillis(250), c.shapeHibernateAfter());
    }

    @Test
    void badValuesNameTheVariable() {
        assertError("ELECTRIC_PORT", "must be an integer (got \"abc\")", env("ELECTRIC_PORT", "abc"));
        assertError("ELECTRIC_PORT", "must be between 1 and 65535 (got 70000)", env("ELECTRIC_PORT", "70000"));
        assertError("ELECTRIC_DB_POOL_SIZE", "must be between 1 and 1000 (got 0)", env("ELECTRIC_DB_POOL_SIZE", "0"));
        assertError("ELECTRIC_ENABLE_INTEGRATION_TESTING", "must be true or false (got \"maybe\")",
                env("ELECTRIC_ENABLE_INTEGRATION_TESTING", "maybe"));
        assertError("ELECTRIC_REPLICATION_STREAM_ID", null, env("ELECTRIC_REPLICATION_STREAM_ID", "Bad-Id"));
        assertError("DATABASE_URL", "must start with postgresql:// or postgres://", env("DATABASE_URL", "mysql://x"));
        assertError("DATABASE_URL", null, env("DATABASE_URL", "postgresql://u@h/db?replication=database"));
        assertError("DATABASE_URL", null, env("DATABASE_URL", "postgresql://u@h/db?sslmode=verify-full"));
        assertError("DATABASE_URL", "invalid port \"x\"", env("DATABASE_URL", "postgresql://u@h:x/db"));
        assertError("DATABASE_URL", null, env("DATABASE_URL", "postgresql://h/db"));
        Map<String, String> noAuth = new HashMap<>();
        assertError("ELECTRIC_SECRET", null, noAuth);
        assertError("ELECTRIC_SECRET", null, env("ELECTRIC_SECRET", "s"));
        String empty = "is set but empty; give it the secret clients must send, or unset it and set"
                + " ELECTRIC_INSECURE=true to serve shapes without one";
        assertError("ELECTRIC_SECRET", empty, env("ELECTRIC_SECRET", ""));
        assertError("ELECTRIC_SECRET", empty, env("ELECTRIC_SECRET", "  "));
        Map<String, String> emptyAlone = new HashMap<>(Map.of("ELECTRIC_SECRET", ""));
        assertError("ELECTRIC_SECRET", empty, emptyAlone);
    }

    private static void assertError(String variable, String problem, Map<String, String> env) {
        ConfigException e = assertThrows(ConfigException.class, () -> Config.fromEnvironment(env));
        assertEquals(variable, e.variable());
        assertFalse(e.getMessage().contains("\n"));
        if (problem != null) assertEquals(variable + ": " + problem, e.getMessage());
    }
}
