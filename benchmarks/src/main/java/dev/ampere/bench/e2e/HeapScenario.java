package dev.ampere.bench.e2e;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario 3, heap per parked live request. Ampere runs with a 60 s long-poll timeout and one shape on a small
 * table. Each round measures its live heap (two full GCs via jcmd), parks K live long-polls on the shape, lets them
 * settle, measures again and divides the difference by K; one insert then releases them all. A bare Helidon server
 * ({@link ParkServer}) is measured the same way in the same run as the baseline.
 */
final class HeapScenario {
    private static final long TIMEOUT_MS = 60_000;

    private HeapScenario() {}

    /** One round's figures. */
    record Round(long beforeKb, long afterKb, int parked, int returnedEarly, int released) {
        double kbPerRequest() {
            return (afterKb - beforeKb) / (double) parked;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("heap_before_kb", beforeKb);
            m.put("heap_parked_kb", afterKb);
            m.put("parked", parked);
            m.put("returned_before_release", returnedEarly);
            m.put("answered_200_after_release", released);
            m.put("kb_per_request", kbPerRequest());
            return m;
        }
    }

    /** The scenario's figures: Ampere's rounds and the Helidon baseline's. */
    record Result(int parked, List<Round> ampere, List<Round> helidon) {
        double ampereKb() {
            return FanoutScenario.median(ampere.stream().mapToDouble(Round::kbPerRequest).toArray());
        }

        double helidonKb() {
            return FanoutScenario.median(helidon.stream().mapToDouble(Round::kbPerRequest).toArray());
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("parked_requests", parked);
            m.put("long_poll_timeout_ms", TIMEOUT_MS);
            m.put("ampere_rounds", ampere.stream().map(Round::toJson).toList());
            m.put("ampere_kb_per_request_median", ampereKb());
            m.put("helidon_rounds", helidon.stream().map(Round::toJson).toList());
            m.put("helidon_kb_per_request_median", helidonKb());
            m.put("ratio", ampereKb() / helidonKb());
            return m;
        }
    }

    static Result run(RunContext ctx) throws Exception {
        Settings s = ctx.settings();
        String table = "e2e_parked";
        ctx.db().createItemsTable(table);
        ctx.db().execute("INSERT INTO " + table + " SELECT g, 1, 'seed' FROM generate_series(1000000001, 1000000010) g");
        List<Round> ampereRounds;
        try (ServerProcess ampere = ctx.startAmpere("heap", Map.of("ELECTRIC_LONG_POLL_TIMEOUT", Long.toString(TIMEOUT_MS)))) {
            System.out.printf("e2e: heap: %,d parked live requests on one shape, %d round(s)%n", s.parked(), s.heapRounds());
            ampereRounds = rounds(ctx, new AmpereTarget(ctx.db(), ampere, table), "Ampere");
        } finally {
            ctx.db().dropInactiveSlots();
        }
        List<Round> helidonRounds = new ArrayList<>();
        if (s.helidonBaseline()) {
            try (ServerProcess helidon = ServerProcess.parkServer(ctx.launch(), ctx.workDir(), TIMEOUT_MS)) {
                helidonRounds = rounds(ctx, new HelidonTarget(helidon), "bare Helidon");
            }
        }
        return new Result(s.parked(), ampereRounds, helidonRounds);
    }

    private static List<Round> rounds(RunContext ctx, ParkTarget target, String name) throws Exception {
        Settings s = ctx.settings();
        park(ctx, target, 100, false); // warm-up: the code paths of parking and waking are loaded and compiled
        List<Round> rounds = new ArrayList<>();
        for (int r = 0; r < s.heapRounds(); r++) {
            ctx.checkTime("heap round " + (r + 1) + " of " + name);
            Round round = park(ctx, target, s.parked(), true);
            rounds.add(round);
            System.out.printf("e2e:   %s round %d: %,d KB → %,d KB with %,d parked: %.1f KB per request"
                    + " (%d returned early, %d answered after release)%n", name, r + 1, round.beforeKb(),
                    round.afterKb(), round.parked(), round.kbPerRequest(), round.returnedEarly(), round.released());
        }
        return rounds;
    }

    private static Round park(RunContext ctx, ParkTarget target, int k, boolean measure) throws Exception {
        long before = measure ? HeapProbe.liveHeapKb(ctx.launch().jcmd(), target.pid()) : 0;
        String where = target.parkTarget();
        try (ParkedRequests parked = new ParkedRequests(target.port(), where, k)) {
            long deadline = ctx.deadlineIn(60);
            while (parked.sent() < k && System.nanoTime() < deadline) Thread.sleep(10);
            Thread.sleep(measure ? 3_000 : 1_000);
            long after = measure ? HeapProbe.liveHeapKb(ctx.launch().jcmd(), target.pid()) : 0;
            if (measure && Boolean.getBoolean("heap.histogram")) { // where the parked requests' heap went
                Process h = new ProcessBuilder(ctx.launch().jcmd().toString(), Long.toString(target.pid()),
                        "GC.class_histogram").redirectErrorStream(true).start();
                h.getInputStream().transferTo(System.out);
                h.waitFor();
            }
            int early = parked.returned();
            // A request that reached the server after a release would stay parked and count in the next round.
            for (int attempt = 0; attempt < 3; attempt++) {
                target.release();
                if (parked.awaitReturned(ctx.deadlineIn(10))) break;
            }
            return new Round(before, after, k, early, parked.ok());
        }
    }

    /** Ampere: park on the shape's latest offset; an insert releases. */
    private record AmpereTarget(Database db, ServerProcess server, String table) implements ParkTarget {
        private static final AtomicLong NEXT_ID = new AtomicLong(1);

        @Override
        public long pid() {
            return server.pid();
        }

        @Override
        public int port() {
            return server.port();
        }

        /** Follows the shape from the start to its up-to-date offset, then parks there. */
        @Override
        public String parkTarget() throws IOException {
            try (HttpConnection c = new HttpConnection(server.port(), 60_000)) {
                String offset = "-1";
                String handle = null;
                for (int i = 0; i < 100; i++) {
                    HttpResponse r = c.get(ShapeUrl.of(table, null, offset, handle, false, null));
                    if (r.status() != 200) throw new IOException("catching up on the heap shape gave HTTP " + r.status());
                    handle = r.header("electric-handle");
                    offset = r.header("electric-offset");
                    if (r.has("electric-up-to-date")) return ShapeUrl.of(table, null, offset, handle, true, null);
                }
                throw new IOException("the heap shape never reported up-to-date");
            }
        }

        @Override
        public void release() throws Exception {
            db.execute("INSERT INTO " + table + " VALUES (" + NEXT_ID.getAndIncrement() + ", 1, 'release')");
        }
    }

    /** The bare Helidon server: park on {@code /park}, release with {@code /release}. */
    private record HelidonTarget(ServerProcess server) implements ParkTarget {
        @Override
        public long pid() {
            return server.pid();
        }

        @Override
        public int port() {
            return server.port();
        }

        @Override
        public String parkTarget() {
            return "/park";
        }

        @Override
        public void release() throws IOException {
            try (HttpConnection c = new HttpConnection(server.port(), 10_000)) {
                c.get("/release");
            }
        }
    }
}
