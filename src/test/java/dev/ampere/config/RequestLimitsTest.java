package dev.ampere.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code ELECTRIC_MAX_CONCURRENT_REQUESTS} and {@code ELECTRIC_MAX_SHAPES} as Electric reads them. */
class RequestLimitsTest {
    private static Config config(String... kv) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("ELECTRIC_INSECURE", "true"));
        for (int i = 0; i < kv.length; i += 2) env.put(kv[i], kv[i + 1]);
        return Config.fromEnvironment(env);
    }

    @Test
    void defaultsAreElectrics() {
        assertEquals(new RequestLimits(300, 10_000), config().requestLimits());
        assertEquals(0, config().maxShapes());
    }

    @Test
    void readsTheJsonObject() {
        assertEquals(new RequestLimits(500, 30_000),
                config("ELECTRIC_MAX_CONCURRENT_REQUESTS", "{\"initial\": 500, \"existing\": 30000}").requestLimits());
        assertEquals(new RequestLimits(1, 2),
                config("ELECTRIC_MAX_CONCURRENT_REQUESTS", " {\"existing\":2,\"initial\":1} ").requestLimits());
    }

    @Test
    void badValuesNameTheVariable() {
        for (String bad : new String[] {"300", "{\"initial\": 300}", "{\"initial\": 0, \"existing\": 1}",
                "{\"initial\": \"a\", \"existing\": 1}", "{\"initial\": 1, \"existing\": 1, \"other\": 1}",
                "{\"initial\": 1, \"existing\": 1", "{\"initial\": 1.5, \"existing\": 1}"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> config("ELECTRIC_MAX_CONCURRENT_REQUESTS", bad), bad);
            assertTrue(e.getMessage().contains("ELECTRIC_MAX_CONCURRENT_REQUESTS"), e.getMessage());
        }
    }

    @Test
    void maxShapesWithItsDeprecatedName() {
        assertEquals(10_000, config("ELECTRIC_MAX_SHAPES", "10000").maxShapes());
        assertEquals(7, config("ELECTRIC_EXPERIMENTAL_MAX_SHAPES", "7").maxShapes());
        assertEquals(5, config("ELECTRIC_MAX_SHAPES", "5", "ELECTRIC_EXPERIMENTAL_MAX_SHAPES", "7").maxShapes());
        assertThrows(ConfigException.class, () -> config("ELECTRIC_MAX_SHAPES", "-1"));
    }
}
