package dev.ampere.testing;

import dev.ampere.config.Config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Configurations for stacks under test: their own stream id (slot names are cluster-wide), storage and port 0. */
public final class TestConfig {
    private static final AtomicInteger NEXT_STREAM = new AtomicInteger();

    private TestConfig() {}

    /** A unique replication stream id for this JVM. */
    public static String newStreamId() {
        return "t" + ProcessHandle.current().pid() + "_" + NEXT_STREAM.incrementAndGet();
    }

    public static Config config(String databaseUrl, String streamId, Path storage, String... extraEnv) {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", databaseUrl);
        env.put("ELECTRIC_INSECURE", "true");
        env.put("ELECTRIC_REPLICATION_STREAM_ID", streamId);
        env.put("ELECTRIC_STORAGE_DIR", storage.toString());
        env.put("ELECTRIC_DB_POOL_SIZE", "4");
        // Idle consumers hibernate within milliseconds, so every test also runs their wake-ups.
        env.put("ELECTRIC_SHAPE_HIBERNATE_AFTER", "20");
        for (int i = 0; i < extraEnv.length; i += 2) env.put(extraEnv[i], extraEnv[i + 1]);
        return Config.fromEnvironment(env).withPort(0);
    }
}
