package dev.ampere.faults;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Ampere in a JVM of its own ({@code dev.ampere.Main} on the test's classpath, as scripts/test-js starts the jar),
 * so a test can kill it with SIGKILL and start it again on the same storage. Its output goes to a log file the
 * test prints when it fails.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
final class AmpereProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    final int port;
    private Process process;

    private AmpereProcess(List<String> command, Map<String, String> env, Path log, int port) {
        this.command = command;
        this.env = env;
        this.log = log;
        this.port = port;
    }

    /** Starts Ampere on {@code databaseUrl} with its storage in {@code storage}, and waits until it is active. */
    static AmpereProcess start(String databaseUrl, String streamId, Path storage, String... extraEnv)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--enable-preview") || a.startsWith("--sun-misc") || a.startsWith("--enable-native")
                    || a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-Dchronicle")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "dev.ampere.Main"));
        int port = freePort();
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "DATABASE_URL", databaseUrl,
                "ELECTRIC_INSECURE", "true",
                "ELECTRIC_REPLICATION_STREAM_ID", streamId,
                "ELECTRIC_STORAGE_DIR", storage.toString(),
                "ELECTRIC_PORT", Integer.toString(port),
                "ELECTRIC_DB_POOL_SIZE", "4"));
        for (int i = 0; i < extraEnv.length; i += 2) env.put(extraEnv[i], extraEnv[i + 1]);
        AmpereProcess a = new AmpereProcess(cmd, env, storage.resolveSibling(storage.getFileName() + ".log"), port);
        a.launch();
        return a;
    }

    String url() {
        return "http://localhost:" + port;
    }

    /** (Re)starts the JVM and waits for {@code /v1/health} to say active. */
    void launch() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().remove("ELECTRIC_SECRET");
        pb.environment().putAll(env);
        process = pb.start();
        awaitActive(Duration.ofSeconds(90));
    }

    void awaitActive(Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            if (!process.isAlive()) throw new AssertionError("Ampere exited (" + process.exitValue() + "):\n" + tail());
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/v1/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"active\"")) return;
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) throw new AssertionError("Ampere did not become active:\n" + tail());
            Thread.sleep(100); // polls an observed state
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye to Postgres. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("Ampere did not die");
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** The last lines of its log, for failure messages. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    String logText() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
