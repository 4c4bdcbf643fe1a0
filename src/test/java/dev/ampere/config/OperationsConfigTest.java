package dev.ampere.config;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ELECTRIC_PROMETHEUS_PORT and ELECTRIC_LOG_FORMAT. */
class OperationsConfigTest {
    private static Config config(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("ELECTRIC_INSECURE", "true");
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return Config.fromEnvironment(m);
    }

    @Test
    void metricsAreServedOnlyWhenThePortIsSet() {
        assertEquals(Optional.empty(), config().prometheusPort());
        assertEquals(Optional.of(9464), config("ELECTRIC_PROMETHEUS_PORT", "9464").prometheusPort());
        assertEquals(Optional.of(0), config("ELECTRIC_PROMETHEUS_PORT", "0").prometheusPort());
        ConfigException e = assertThrows(ConfigException.class, () -> config("ELECTRIC_PROMETHEUS_PORT", "metrics"));
        assertTrue(e.getMessage().contains("ELECTRIC_PROMETHEUS_PORT"), e.getMessage());
        assertThrows(ConfigException.class, () -> config("ELECTRIC_PROMETHEUS_PORT", "70000"));
    }

    @Test
    void logFormatIsTextOrJson() {
        assertFalse(config().jsonLogs());
        assertFalse(config("ELECTRIC_LOG_FORMAT", "text").jsonLogs());
        assertTrue(config("ELECTRIC_LOG_FORMAT", "JSON").jsonLogs());
        ConfigException e = assertThrows(ConfigException.class, () -> config("ELECTRIC_LOG_FORMAT", "xml"));
        assertTrue(e.getMessage().contains("ELECTRIC_LOG_FORMAT"), e.getMessage());
    }
}
