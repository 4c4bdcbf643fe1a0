package dev.ampere.nginx;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real nginx, a child process of the test JVM, running the repository's caching-proxy config
 * (scripts/nginx/ampere-cache.conf) in a private temporary directory, on a port the OS picked. The binary is the one
 * scripts/lib/ensure-nginx.sh installs or finds: {@code -Dampere.nginx}, {@code AMPERE_NGINX}, or /usr/sbin/nginx. A
 * missing nginx is a failure, never a skip.
 *
 * <p>Threading: start and close from one thread.
 */
final class NginxProxy implements AutoCloseable {
    static final Path TEMPLATE = Path.of("scripts/nginx/ampere-cache.conf");
    /** The template's lines that make nginx talk HTTP/1.1 with keep-alive to its upstream. */
    private static final String KEEP_ALIVE_MARK = "# upstream keep-alive";

    final int port;
    final Path dir;
    private final Process process;

    private NginxProxy(int port, Path dir, Process process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    /**
     * Starts nginx in front of {@code upstreamPort} on 127.0.0.1. With {@code http11} false the keep-alive lines are
     * left out, so nginx talks its default HTTP/1.0 (one connection per request) to the upstream.
     */
    static NginxProxy start(int upstreamPort, boolean http11) throws Exception {
        Path nginx = binary();
        Path dir = Files.createTempDirectory("ampere-nginx");
        Files.createDirectories(dir.resolve("cache"));
        int port = freePort();
        String config = Files.readAllLines(TEMPLATE).stream()
                .filter(line -> http11 || !line.contains(KEEP_ALIVE_MARK))
                .map(line -> line.replace("@USER@", System.getProperty("user.name"))
                        .replace("@PREFIX@", dir.toString())
                        .replace("@CACHE_DIR@", dir.resolve("cache").toString())
                        .replace("@LISTEN@", Integer.toString(port))
                        .replace("@UPSTREAM@", "127.0.0.1:" + upstreamPort))
                .collect(Collectors.joining("\n", "", "\n"));
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, config);
        Process p = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-e", dir.resolve("error.log").toString(),
                "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        NginxProxy proxy = new NginxProxy(port, dir, p);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(p::destroy));
        try {
            proxy.awaitListening(Duration.ofSeconds(20));
        } catch (Exception e) {
            proxy.close();
            throw e;
        }
        return proxy;
    }

    static Path binary() {
        String configured = System.getProperty("ampere.nginx");
        if (configured == null || configured.isBlank()) configured = System.getenv("AMPERE_NGINX");
        Path path = Path.of(configured == null || configured.isBlank() ? "/usr/sbin/nginx" : configured);
        if (!Files.isExecutable(path)) {
            throw new AssertionError("nginx not found at " + path + ": scripts/test installs it (scripts/lib/ensure-nginx.sh),"
                    + " or set AMPERE_NGINX / -Dampere.nginx");
        }
        return path;
    }

    /** A port the OS had free a moment ago. */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits for nginx to accept connections: it has no other readiness signal. */
    private void awaitListening(Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            if (!process.isAlive()) throw new IllegalStateException("nginx exited with " + process.exitValue() + ":\n" + logs());
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("nginx did not listen on " + port + ":\n" + logs());
                Thread.sleep(20);
            }
        }
    }

    /** nginx's error log and output, for failure messages. */
    String logs() {
        StringBuilder b = new StringBuilder();
        for (String name : List.of("stdout.log", "error.log")) {
            try {
                Path f = dir.resolve(name);
                if (Files.exists(f)) b.append("--- ").append(name).append('\n').append(Files.readString(f));
            } catch (IOException e) {
                b.append("(").append(name).append(": ").append(e.getMessage()).append(")\n");
            }
        }
        return b.toString();
    }

    /** nginx's access log: one line per client request with its cache and upstream status. */
    String accessLog() throws IOException {
        Path f = dir.resolve("access.log");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    @Override
    public void close() throws Exception {
        process.destroy(); // SIGTERM: nginx's fast shutdown, workers included
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }
}
