package dev.ampere.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The end-to-end delivery benchmark: starts an embedded Postgres and the baseline replication stream, runs the
 * scenarios (write → client latency vs N, fan-out, heap per parked request), each against a fresh Ampere JVM
 * started from its jar, and writes {@code e2e.json}, {@code e2e.md} and {@code e2e-latency-vs-n.svg} into the
 * results directory; the Markdown also goes to stdout. A failing scenario is recorded and the others still run;
 * the exit status is 1 if any failed. Servers, Postgres and the temporary directory are removed at the end, also
 * on failure or Ctrl-C.
 *
 * <p>Usage (benchmarks/README.md): {@code java <Ampere's JVM flags> -cp target/bench/benchmarks.jar
 * dev.ampere.bench.e2e.EndToEndBenchmark <quick|full> <results-dir> [key=value ...]}, with the environment variables
 * {@code AMPERE_E2E_JAR} (Ampere's jar, default {@code target/ampere-0.1.0-SNAPSHOT.jar}) and
 * {@code AMPERE_E2E_JVM_FLAGS} (the flags for the server JVMs, space-separated).
 */
public final class EndToEndBenchmark {
    private EndToEndBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: EndToEndBenchmark <quick|full> <results-dir> [key=value ...]");
            System.exit(2);
        }
        Settings settings = Settings.of(args[0], Arrays.copyOfRange(args, 2, args.length));
        Path out = Files.createDirectories(Path.of(args[1]));
        ServerProcess.Launch launch = ServerProcess.Launch.fromEnvironment();

        Results results = new Results(settings);
        Path work = Files.createTempDirectory("ampere-e2e-");
        // On Ctrl-C or SIGTERM: stop the servers this JVM started, then remove the work directory. (The embedded
        // Postgres has a shutdown hook of its own.)
        Thread cleanup = Thread.ofPlatform().unstarted(() -> {
            stopChildren();
            deleteTree(work);
        });
        Runtime.getRuntime().addShutdownHook(cleanup);
        long t0 = System.nanoTime();
        System.out.printf("e2e: %s run, budget %d min; work directory %s%n", settings.mode(),
                settings.budget().toMinutes(), work);
        try (Database db = Database.start(); ReplicationBaseline baseline = ReplicationBaseline.start(db)) {
            RunContext ctx = new RunContext(db, baseline, launch, work, settings,
                    System.nanoTime() + settings.budget().toNanos());
            runAll(ctx, results, out);
        } finally {
            results.seconds = (System.nanoTime() - t0) / 1e9;
            write(results, out);
            deleteTree(work);
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        System.exit(results.failures.isEmpty() ? 0 : 1);
    }

    private static void runAll(RunContext ctx, Results results, Path out) {
        Settings s = ctx.settings();
        Path work = ctx.workDir();
        if (s.runs("latency")) {
            for (int n : s.shapeCounts()) {
                attempt(results, "write → client, N=" + n, work, out,
                        () -> results.latency.add(LatencyScenario.run(ctx, n)));
            }
        }
        if (s.runs("subquery")) {
            for (int n : s.subqueryShapeCounts()) {
                attempt(results, "sub-select shapes, N=" + n, work, out,
                        () -> results.subquery.add(SubqueryScenario.run(ctx, n)));
            }
        }
        if (s.runs("fanout")) attempt(results, "fan-out", work, out, () -> results.fanout = FanoutScenario.run(ctx));
        if (s.runs("heap")) {
            attempt(results, "heap per parked request", work, out, () -> results.heap = HeapScenario.run(ctx));
        }
    }

    /** A step of the run that may fail without stopping the others. */
    private interface Step {
        void run() throws Exception;
    }

    private static void attempt(Results results, String name, Path work, Path out, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            System.err.println("e2e: " + name + " failed: " + e);
            e.printStackTrace();
            results.failures.put(name, String.valueOf(e));
            keepLogs(work, out);
        }
    }

    /** Copies the servers' logs from the work directory into the results directory, for a failed step. */
    private static void keepLogs(Path work, Path out) {
        try (Stream<Path> logs = Files.list(work)) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                Files.copy(log, out.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.err.println("e2e: could not keep the logs: " + e);
        }
    }

    private static void write(Results results, Path out) throws IOException {
        JsonOut.write(out.resolve("e2e.json"), results.toJson());
        String md = MarkdownReport.render(results);
        Files.writeString(out.resolve("e2e.md"), md, StandardCharsets.UTF_8);
        if (!results.latency.isEmpty()) {
            Files.writeString(out.resolve("e2e-latency-vs-n.svg"), SvgChart.latencyVsN(results.latency), StandardCharsets.UTF_8);
        }
        System.out.println();
        System.out.println(md);
        System.out.println("e2e: results in " + out);
    }

    /** SIGTERM to every process this JVM started (the server JVMs, a jcmd), then a bounded wait, then SIGKILL. */
    private static void stopChildren() {
        List<ProcessHandle> children = ProcessHandle.current().children().toList();
        children.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + 15_000_000_000L;
        for (ProcessHandle p : children) {
            while (p.isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    break;
                }
            }
            if (p.isAlive()) p.destroyForcibly();
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("e2e: could not remove " + root + ": " + e);
        }
    }
}
