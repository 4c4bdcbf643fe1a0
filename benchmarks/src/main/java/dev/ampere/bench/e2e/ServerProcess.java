package dev.ampere.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A server under test as a separate JVM on a free port of 127.0.0.1, its output in a log file: Ampere started from
 * its jar and configured only through environment variables (the database URL, the port, {@code ELECTRIC_INSECURE=true},
 * a storage directory and a replication stream id of its own, so each instance has its own slot), or the bare
 * Helidon {@link ParkServer}. Start waits until {@code GET /v1/health} reports active; {@link #close()} sends SIGTERM
 * and, after a bounded wait, kills the process.
 */
final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private ServerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts Ampere and waits (bounded) until it is active. */
    static ServerProcess ampere(Launch launch, String name, Database db, Path workDir, Map<String, String> extraEnv)
            throws IOException, InterruptedException, TimeoutException {
        int port = FreePort.pick();
        Path storage = Files.createDirectories(workDir.resolve(name + "-storage"));
        List<String> cmd = new ArrayList<>();
        cmd.add(launch.java().toString());
        cmd.addAll(launch.jvmFlags());
        cmd.add("-jar");
        cmd.add(launch.jar().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("ELECTRIC_") || k.equals("DATABASE_URL") || k.startsWith("AMPERE_"));
        env.put("DATABASE_URL", db.databaseUrl());
        env.put("ELECTRIC_PORT", Integer.toString(port));
        env.put("ELECTRIC_INSECURE", "true");
        env.put("ELECTRIC_STORAGE_DIR", storage.toString());
        env.put("ELECTRIC_REPLICATION_STREAM_ID", name.replaceAll("[^a-z0-9_]", "_"));
        env.putAll(extraEnv);
        return start(pb, port, workDir.resolve(name + ".log"));
    }

    /** Starts the bare Helidon {@link ParkServer} from the benchmark's own class path. */
    static ServerProcess parkServer(Launch launch, Path workDir, long timeoutMillis)
            throws IOException, InterruptedException, TimeoutException {
        int port = FreePort.pick();
        List<String> cmd = new ArrayList<>();
        cmd.add(launch.java().toString());
        cmd.addAll(launch.jvmFlags());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ParkServer.class.getName(),
                Integer.toString(port), Long.toString(timeoutMillis)));
        return start(new ProcessBuilder(cmd), port, workDir.resolve("helidon-park.log"));
    }

    private static ServerProcess start(ProcessBuilder pb, int port, Path log)
            throws IOException, InterruptedException, TimeoutException {
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        ServerProcess p = new ServerProcess(pb.start(), port, log);
        try {
            p.awaitActive(Duration.ofSeconds(120));
            return p;
        } catch (IOException | InterruptedException | TimeoutException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    private void awaitActive(Duration timeout) throws InterruptedException, TimeoutException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (HttpConnection c = new HttpConnection(port, 2_000)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException("the server exited with status " + process.exitValue() + " before becoming"
                            + " active; see " + log);
                }
                try {
                    HttpResponse r = c.get("/v1/health");
                    if (r.status() == 200 && new String(r.body()).replace(" ", "").contains("\"status\":\"active\"")) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
        }
        throw new TimeoutException("the server did not report active within " + timeout.toSeconds() + " s; see " + log);
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            System.err.println("e2e: server (pid " + process.pid() + ") did not stop within 30 s; killing it");
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** How to launch a JVM: the JDK 25 {@code java} binary, Ampere's jar and the flags it needs. */
    record Launch(Path java, Path jar, List<String> jvmFlags) {
        /** The JVM flags Ampere needs, when {@code AMPERE_E2E_JVM_FLAGS} gives none. */
        static final List<String> DEFAULT_FLAGS = List.of("--enable-preview", "--sun-misc-unsafe-memory-access=allow",
                "--enable-native-access=ALL-UNNAMED", "-Dchronicle.analytics.disable=true",
                "-Dchronicle.announcer.disable=true", "-Dchronicle.disk.monitor.disable=true");

        /**
         * The launch the benchmark scripts describe: this JVM's java, {@code AMPERE_E2E_JAR} (default
         * {@code target/ampere-0.1.0-SNAPSHOT.jar}) and {@code AMPERE_E2E_JVM_FLAGS} (space-separated).
         */
        static Launch fromEnvironment() {
            Path jar = Path.of(System.getenv().getOrDefault("AMPERE_E2E_JAR", "target/ampere-0.1.0-SNAPSHOT.jar"))
                    .toAbsolutePath();
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("no Ampere jar at " + jar + " (mvn package -DskipTests)");
            }
            String flags = System.getenv("AMPERE_E2E_JVM_FLAGS");
            List<String> jvmFlags = flags == null || flags.isBlank() ? DEFAULT_FLAGS : List.of(flags.trim().split("\\s+"));
            return new Launch(Path.of(ProcessHandle.current().info().command().orElseThrow()), jar, jvmFlags);
        }

        Path jcmd() {
            return java.resolveSibling("jcmd");
        }
    }
}
