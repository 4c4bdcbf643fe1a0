package dev.ampere.bench.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Heap per idle shape of a whole Ampere server, as a client makes them: an embedded Postgres, an Ampere JVM from
 * its jar, N shapes {@code where owner = k} created over HTTP ({@link ShapeCreator}, 32 at a time, one seed row per
 * owner), then a wait longer than the hibernation time, and the live heap before and after (two full GCs via jcmd,
 * {@link HeapProbe}) divided by N. Everything a shape costs is in it: storage, the router's entry and filter
 * index, the shape table, the where clause, the consumer. {@code hibernateAfterMs} sets
 * {@code ELECTRIC_SHAPE_HIBERNATE_AFTER}; a value above the run's length measures consumers that never hibernate.
 *
 * <p>Run (after {@code mvn package -DskipTests} and {@code mvn -Pbench package -DskipTests}), with the environment
 * of {@link EndToEndBenchmark} ({@code AMPERE_E2E_JAR}, {@code AMPERE_E2E_JVM_FLAGS}): {@code java --enable-preview
 * -cp target/bench/benchmarks.jar dev.ampere.bench.e2e.IdleShapesServer [shapes=10000] [hibernateAfterMs=2000]}.
 * {@code -Didle.histogram=true} prints the class histogram; {@code -Didle.heapDump=/tmp/x.hprof} writes a heap dump.
 */
public final class IdleShapesServer {
    private IdleShapesServer() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        long hibernateAfter = args.length > 1 ? Long.parseLong(args[1]) : 2_000;
        Path jar = Path.of(System.getenv().getOrDefault("AMPERE_E2E_JAR", "target/ampere-0.1.0-SNAPSHOT.jar")).toAbsolutePath();
        String flags = System.getenv().getOrDefault("AMPERE_E2E_JVM_FLAGS", "--enable-preview"
                + " --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"
                + " -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true"
                + " -Dchronicle.disk.monitor.disable=true");
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        ServerProcess.Launch launch = new ServerProcess.Launch(java, jar, List.of(flags.trim().split("\\s+")));
        Path work = Files.createTempDirectory("ampere-idle-");
        String table = "idle_items";
        try (Database db = Database.start()) {
            db.createItemsTable(table);
            db.execute("INSERT INTO " + table + " SELECT g, g, 'seed' FROM generate_series(1, " + n + ") g");
            try (ServerProcess ampere = ServerProcess.ampere(launch, "idle", db, work,
                    Map.of("ELECTRIC_SHAPE_HIBERNATE_AFTER", Long.toString(hibernateAfter)))) {
                long before = HeapProbe.liveHeapKb(launch.jcmd(), ampere.pid());
                List<String> wheres = new ArrayList<>(n);
                for (int k = 1; k <= n; k++) wheres.add("owner = " + k);
                ShapeCreator.Result created = ShapeCreator.create(ampere.port(), table, wheres, 32,
                        System.nanoTime() + 600_000_000_000L);
                System.out.printf("created %d shapes in %.1f s (%d errors)%n", created.created(), created.seconds(),
                        created.errors());
                // Every consumer idle for longer than its hibernation time (or, when it never hibernates, settled).
                Thread.sleep(Math.min(hibernateAfter, 10_000) + 3_000);
                long after = HeapProbe.liveHeapKb(launch.jcmd(), ampere.pid());
                System.out.printf("RESULT shapes=%d hibernateAfterMs=%d heap before %d KB, after %d KB: %.0f bytes per"
                        + " idle shape%n", created.created(), hibernateAfter, before, after,
                        (after - before) * 1024.0 / created.created());
                if (Boolean.getBoolean("idle.histogram")) { // where the heap went: the largest classes
                    Process h = new ProcessBuilder(launch.jcmd().toString(), Long.toString(ampere.pid()),
                            "GC.class_histogram").redirectErrorStream(true).start();
                    h.getInputStream().transferTo(System.out);
                    h.waitFor();
                }
                String dump = System.getProperty("idle.heapDump"); // a heap dump for finding who holds what
                if (dump != null) {
                    new ProcessBuilder(launch.jcmd().toString(), Long.toString(ampere.pid()), "GC.heap_dump", dump)
                            .inheritIO().start().waitFor();
                }
            } finally {
                db.dropInactiveSlots();
            }
        } finally {
            try (var s = Files.walk(work)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
