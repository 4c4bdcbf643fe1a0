package dev.ampere.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class HttpLimitsTest {
    private static HttpLimits limits(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("ELECTRIC_INSECURE", "true");
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return Config.fromEnvironment(m).http();
    }

    @Test
    void defaults() {
        HttpLimits l = limits();
        assertEquals(Duration.ofSeconds(30), l.headerReadTimeout());
        assertEquals(Duration.ofSeconds(60), l.readTimeout()); // Electric's (ThousandIsland's) read timeout
        assertEquals(Duration.ofSeconds(30), l.sendTimeout()); // Electric's
        assertEquals(10_000, l.maxConnections());
    }

    @Test
    void timesAreReadAsElectricWritesThem() {
        assertEquals(Duration.ofMillis(1500), limits("AMPERE_HEADER_READ_TIMEOUT", "1500").headerReadTimeout());
        assertEquals(Duration.ofMillis(250), limits("AMPERE_HEADER_READ_TIMEOUT", "250ms").headerReadTimeout());
        assertEquals(Duration.ofSeconds(10), limits("AMPERE_HEADER_READ_TIMEOUT", "10 s").headerReadTimeout());
        assertEquals(Duration.ofSeconds(90), limits("ELECTRIC_TCP_READ_TIMEOUT", "1.5m").readTimeout());
        assertEquals(Duration.ofMinutes(2), limits("ELECTRIC_TCP_READ_TIMEOUT", "2min").readTimeout());
        assertEquals(Duration.ofSeconds(5), limits("ELECTRIC_TCP_READ_TIMEOUT", "5sec").readTimeout());
        assertEquals(Duration.ofMillis(700), limits("ELECTRIC_TCP_SEND_TIMEOUT", "700ms").sendTimeout());
        assertEquals(50, limits("AMPERE_MAX_CONNECTIONS", "50").maxConnections());
    }

    @Test
    void badValuesNameTheVariable() {
        for (String bad : new String[] {"0", "-1s", "soon", "10h", "0.1ms"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> limits("ELECTRIC_TCP_READ_TIMEOUT", bad));
            assertTrue(e.getMessage().contains("ELECTRIC_TCP_READ_TIMEOUT"), e.getMessage());
        }
        assertThrows(ConfigException.class, () -> limits("AMPERE_MAX_CONNECTIONS", "0"));
    }

    @Test
    void tlsNeedsBothPemFilesOrNeither() throws Exception {
        Map<String, String> m = new HashMap<>();
        m.put("ELECTRIC_INSECURE", "true");
        assertTrue(Config.fromEnvironment(m).tls().isEmpty());
        java.nio.file.Path file = java.nio.file.Files.createTempFile("ampere-tls", ".pem");
        m.put("AMPERE_TLS_CERTIFICATE_FILE", file.toString());
        ConfigException e = assertThrows(ConfigException.class, () -> Config.fromEnvironment(m));
        assertEquals("AMPERE_TLS_KEY_FILE: must be set together with AMPERE_TLS_CERTIFICATE_FILE (TLS needs both PEM"
                + " files)", e.getMessage());
        m.remove("AMPERE_TLS_CERTIFICATE_FILE");
        m.put("AMPERE_TLS_KEY_FILE", file.toString());
        e = assertThrows(ConfigException.class, () -> Config.fromEnvironment(m));
        assertEquals("AMPERE_TLS_CERTIFICATE_FILE", e.variable());
        m.put("AMPERE_TLS_CERTIFICATE_FILE", file + ".missing");
        e = assertThrows(ConfigException.class, () -> Config.fromEnvironment(m));
        assertTrue(e.getMessage().startsWith("AMPERE_TLS_CERTIFICATE_FILE: is not a readable file"), e.getMessage());
        m.put("AMPERE_TLS_CERTIFICATE_FILE", file.toString());
        assertEquals(new TlsFiles(file, file), Config.fromEnvironment(m).tls().orElseThrow());
    }
}
