package dev.ampere.bench.e2e;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

/**
 * Shapes that filter through a sub-select (benchmarks/README.md, "Sub-selects"): N shapes
 * {@code owner IN (SELECT id FROM <table>_members WHERE grp = k)} over a membership table where owner k is in group k,
 * measured as {@link LatencyScenario} measures {@code owner = k} (write → client for min(100, N) followed shapes,
 * beside the replication stream), then the moves (with {@code synchronous_commit=on}, as every writer here): one at a time, a non-followed owner j joins a followed shape's
 * group ({@code UPDATE members SET grp = k WHERE id = j}), and the time runs from just before that COMMIT until the
 * shape's client holds owner j's row. A move ends the shape today (409, refetch: docs/protocol.md §2.1), so this is
 * the time of the rotation and the new snapshot, with the other N − 1 shapes in place.
 */
final class SubqueryScenario {
    private SubqueryScenario() {}

    /** The write → client figures of the sub-select shapes, and the moves. */
    record Result(LatencyScenario.Point latency, int moves, int movesSeen, LatencySummary moveIn) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("write_to_client", latency.toJson());
            m.put("moves", moves);
            m.put("moves_seen", movesSeen);
            m.put("move_in_from_commit", moveIn.toJson());
            return m;
        }
    }

    private static final int MOVES = 20;
    private static final long SEED_BASE = 1_000_000_000L;

    /** The one move being waited for: follower, the row it must receive, the COMMIT's time. */
    private static final class MoveWatch implements ShapeFollower.Sink {
        private volatile int follower = -1;
        private volatile long id;
        private volatile CountDownLatch seen;
        private volatile long at;

        void expect(int follower, long id) {
            this.id = id;
            this.seen = new CountDownLatch(1);
            this.follower = follower;
        }

        @Override
        public void onRows(int f, long[] ids, long receivedNanos) {
            if (f != follower) return;
            for (long x : ids) {
                if (x == id) {
                    at = receivedNanos;
                    follower = -1;
                    seen.countDown();
                    return;
                }
            }
        }
    }

    static Result run(RunContext ctx, int n) throws Exception {
        MoveWatch watch = new MoveWatch();
        Histogram moveIn = LatencySummary.newHistogram();
        int[] seenMoves = new int[1];
        LatencyScenario.Form form = new LatencyScenario.Form() {
            public String table(int count) {
                return "e2e_subq_" + count;
            }

            public void setUp(RunContext c, String table, int count) throws Exception {
                c.db().execute("CREATE TABLE " + table + "_members (id int PRIMARY KEY, grp int NOT NULL)",
                        "CREATE INDEX " + table + "_members_grp ON " + table + "_members (grp)",
                        "INSERT INTO " + table + "_members SELECT g, g FROM generate_series(1, " + count + ") g");
            }

            public String where(String table, int k) {
                return "owner IN (SELECT id FROM " + table + "_members WHERE grp = " + k + ")";
            }

            public ShapeFollower.Sink extraSink() {
                return watch;
            }

            public void afterWrites(RunContext c, String table, int count, int[] owners) throws Exception {
                Set<Integer> followed = new HashSet<>();
                for (int o : owners) followed.add(o);
                int mover = count;
                // One connection for all moves, opened first: the time runs from just before each UPDATE's
                // (autocommitted) execution, not from a connection's set-up.
                try (java.sql.Connection conn = c.db().connect(); java.sql.Statement st = conn.createStatement()) {
                    // As the other writers: the benchmark's Postgres commits asynchronously by default, and its WAL
                    // writer (every 200 ms) would then decide when the move reaches the stream.
                    st.execute("SET synchronous_commit = on");
                    for (int m = 0; m < MOVES && m < owners.length; m++) {
                        while (followed.contains(mover)) mover--;
                        int i = m % owners.length;
                        watch.expect(i, SEED_BASE + mover);
                        String update = "UPDATE " + table + "_members SET grp = " + owners[i] + " WHERE id = " + mover;
                        long t0 = System.nanoTime();
                        st.execute(update);
                        if (Boolean.getBoolean("e2e.trace409")) {
                            System.out.printf("e2e: move %d to follower %d committed at %.1f ms (started %.1f)%n", m, i,
                                    System.nanoTime() / 1e6, t0 / 1e6);
                        }
                        if (watch.seen.await(30, TimeUnit.SECONDS)) {
                            LatencySummary.recordNanos(moveIn, watch.at - t0);
                            seenMoves[0]++;
                        }
                        mover--;
                    }
                }
                System.out.printf("e2e:   %d of %d moves seen; move-in p50 %.1f ms, p99 %.1f ms%n", seenMoves[0],
                        Math.min(MOVES, owners.length), LatencySummary.of(moveIn).p50(), LatencySummary.of(moveIn).p99());
            }
        };
        LatencyScenario.Point p = LatencyScenario.run(ctx, n, form);
        return new Result(p, MOVES, seenMoves[0], LatencySummary.of(moveIn));
    }
}
