package dev.ampere.bench.e2e;

import java.util.Locale;

/**
 * The human summary of a run: a headline table (each figure beside the limit measured in the same run), then one
 * table per scenario. Milliseconds to two decimals below 10 ms, one decimal above.
 */
final class MarkdownReport {
    private MarkdownReport() {}

    static String render(Results r) {
        StringBuilder md = new StringBuilder();
        Settings s = r.settings;
        md.append("# End-to-end delivery benchmark (").append(s.mode()).append(")\n\n");
        md.append(String.format(Locale.ROOT, "Started %s, %.0f s, %d CPUs, Java %s. Real Postgres (embedded, "
                        + "wal_level=logical), Ampere as its own JVM from its jar, clients on kept-alive HTTP/1.1 "
                        + "connections (%,d requests on %,d connections). Baseline: a pgjdbc pgoutput stream on its own "
                        + "slot, timing the same writes to their decoded COMMIT.%n%n", r.started, r.seconds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                HttpConnection.REQUESTS.get(), HttpConnection.CONNECTS.get()));
        headline(md, r);
        latency(md, r);
        subquery(md, r);
        fanout(md, r);
        heap(md, r);
        if (!r.failures.isEmpty()) {
            md.append("## Failures\n\n");
            r.failures.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
            md.append('\n');
        }
        return md.toString();
    }

    private static void headline(StringBuilder md, Results r) {
        md.append("## Figures\n\n| figure | Ampere | baseline in the same run | ratio |\n|---|---|---|---|\n");
        for (LatencyScenario.Point p : r.latency) {
            md.append(String.format(Locale.ROOT, "| write → client, %,d indexed shapes (%d followed) | p50 %s, p99 %s ms"
                            + " | stream p50 %s, p99 %s ms | %s× / %s× |%n", p.shapes(), p.followed(), ms(p.ampere().p50()),
                    ms(p.ampere().p99()), ms(p.baseline().p50()), ms(p.baseline().p99()), x(p.ratioP50()), x(p.ratioP99())));
        }
        for (LatencyScenario.Point p : r.latency) {
            md.append(String.format(Locale.ROOT, "| creating %,d shapes, %d at a time | %.1f s (%,.0f/s, %d errors) | — | — |%n",
                    p.creation().shapes(), r.settings.creationConcurrency(), p.creation().seconds(),
                    p.creation().created() / p.creation().seconds(), p.creation().errors()));
        }
        if (r.fanout != null) {
            FanoutScenario.Result f = r.fanout;
            md.append(String.format(Locale.ROOT, "| 1 shape × %d clients, %,d-row transaction, last client (median of %d) |"
                            + " %s ms | stream %s ms | %s× |%n", f.clients(), f.rows(), f.rounds().size(),
                    ms(f.medianLastMs()), ms(f.medianBaselineMs()), x(f.ratio())));
        }
        if (r.heap != null) {
            HeapScenario.Result h = r.heap;
            md.append(String.format(Locale.ROOT, "| heap per parked live request (%,d parked) | %.1f KB | bare Helidon %.1f KB"
                    + " | %s× |%n", h.parked(), h.ampereKb(), h.helidonKb(), x(h.ampereKb() / h.helidonKb())));
        }
        md.append('\n');
    }

    private static void latency(StringBuilder md, Results r) {
        if (r.latency.isEmpty()) return;
        Settings s = r.settings;
        md.append(String.format(Locale.ROOT, "## Write → client latency vs N%n%nN shapes `owner = k`; min(%d, N) of them"
                + " followed by one live long-polling client each; %,d single-row writes at %.0f/s round-robin over the"
                + " followed owners, after %,d unmeasured warm-up writes. Latency from just before COMMIT to the client holding the row; the baseline is the"
                + " same row's decoded COMMIT on the replication stream. \"from schedule\" measures from each write's"
                + " slot in the fixed-rate schedule instead (corrected for coordinated omission). Times in ms.%n%n",
                s.followed(), s.writes(), s.writesPerSecond(), s.warmupWrites()));
        md.append("| N | Ampere p50 | p95 | p99 | max | stream p50 | p95 | p99 | max | ratio p50 | ratio p99 |"
                + " p99 from schedule (Ampere / stream) | rows seen (Ampere / stream) |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (LatencyScenario.Point p : r.latency) {
            md.append(String.format(Locale.ROOT, "| %,d | %s | %s | %s | %s | %s | %s | %s | %s | %s× | %s× | %s / %s | %,d / %,d of %,d |%n",
                    p.shapes(), ms(p.ampere().p50()), ms(p.ampere().p95()), ms(p.ampere().p99()), ms(p.ampere().max()),
                    ms(p.baseline().p50()), ms(p.baseline().p95()), ms(p.baseline().p99()), ms(p.baseline().max()),
                    x(p.ratioP50()), x(p.ratioP99()), ms(p.ampereCorrected().p99()), ms(p.baselineCorrected().p99()),
                    p.clientSaw(), p.baselineSaw(), p.written()));
        }
        md.append("\n| N | shapes created | seconds | shapes/s | per request p50 / p99 ms | errors | retries |"
                + " writer lag p99 ms | warm-up p50 / p99 ms | follower errors | follower requests per connection |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (LatencyScenario.Point p : r.latency) {
            ShapeCreator.Result c = p.creation();
            md.append(String.format(Locale.ROOT, "| %,d | %,d | %.2f | %,.0f | %s / %s | %d | %d | %s | %s / %s | %d | %.1f |%n",
                    p.shapes(), c.created(), c.seconds(), c.created() / c.seconds(), ms(c.perRequest().p50()),
                    ms(c.perRequest().p99()), c.errors(), c.retries(), ms(p.writerLag().p99()), ms(p.warmup().p50()),
                    ms(p.warmup().p99()), p.followerErrors(), p.requestsPerConnection()));
        }
        md.append("\n![latency vs N](e2e-latency-vs-n.svg)\n\n");
    }

    private static void subquery(StringBuilder md, Results r) {
        if (r.subquery.isEmpty()) return;
        md.append(String.format(Locale.ROOT, "## Shapes with a sub-select%n%nN shapes `owner IN (SELECT id FROM members"
                + " WHERE grp = k)`, followed and written to as above; then moves, one at a time: a non-followed owner"
                + " joins a followed shape's group, timed from just before that COMMIT until the client holds the"
                + " moved owner's row (today a move ends the shape: 409, then a new snapshot). Times in ms.%n%n"));
        md.append("| N | Ampere p50 | p99 | stream p50 | p99 | shapes created in s | moves seen | move-in p50 | p99 | max |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (SubqueryScenario.Result q : r.subquery) {
            LatencyScenario.Point p = q.latency();
            md.append(String.format(Locale.ROOT, "| %,d | %s | %s | %s | %s | %.1f | %d of %d | %s | %s | %s |%n",
                    p.shapes(), ms(p.ampere().p50()), ms(p.ampere().p99()), ms(p.baseline().p50()),
                    ms(p.baseline().p99()), p.creation().seconds(), q.movesSeen(), q.moves(), ms(q.moveIn().p50()),
                    ms(q.moveIn().p99()), ms(q.moveIn().max())));
        }
        md.append('\n');
    }

    private static void fanout(StringBuilder md, Results r) {
        if (r.fanout == null) return;
        FanoutScenario.Result f = r.fanout;
        md.append(String.format(Locale.ROOT, "## Fan-out%n%nOne shape, %d live long-polling clients, one transaction of"
                + " %,d rows per round; time from just before COMMIT until each client holds every row. Times in ms.%n%n",
                f.clients(), f.rows()));
        md.append("| round | last client | median client | stream (decoded COMMIT) | clients complete |\n|---|---|---|---|---|\n");
        int i = 1;
        for (FanoutScenario.Round round : f.warmup()) {
            md.append(String.format(Locale.ROOT, "| warm-up %d | %s | %s | %s | %d / %d |%n", i++, ms(round.lastMs()),
                    ms(round.p50Ms()), ms(round.baselineMs()), round.complete(), f.clients()));
        }
        i = 1;
        for (FanoutScenario.Round round : f.rounds()) {
            md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %d / %d |%n", i++, ms(round.lastMs()),
                    ms(round.p50Ms()), ms(round.baselineMs()), round.complete(), f.clients()));
        }
        LatencySummary a = f.allClients();
        md.append(String.format(Locale.ROOT, "%nMedian of rounds: last client %s ms, stream %s ms, ratio %s×"
                        + " (%,.0f row deliveries/s). Every client of every round: p50 %s, p95 %s, p99 %s, max %s ms."
                        + " Follower errors %d; %.1f requests per connection.%n%n",
                ms(f.medianLastMs()), ms(f.medianBaselineMs()), x(f.ratio()),
                f.clients() * (double) f.rows() / (f.medianLastMs() / 1_000), ms(a.p50()), ms(a.p95()), ms(a.p99()), ms(a.max()),
                f.followerErrors(), f.requestsPerConnection()));
    }

    private static void heap(StringBuilder md, Results r) {
        if (r.heap == null) return;
        HeapScenario.Result h = r.heap;
        md.append(String.format(Locale.ROOT, "## Heap per parked live request%n%n%,d live long-polls parked on one shape"
                + " (long-poll timeout 60 s); live heap after two full GCs (`jcmd GC.run`, `GC.heap_info`) before and"
                + " while they are parked.%n%n", h.parked()));
        md.append("| server | round | heap before KB | heap parked KB | KB per request | returned early | answered after release |\n"
                + "|---|---|---|---|---|---|---|\n");
        rows(md, "Ampere", h.ampere());
        rows(md, "bare Helidon", h.helidon());
        md.append(String.format(Locale.ROOT, "%nMedian: Ampere %.1f KB, bare Helidon %.1f KB per parked request.%n%n",
                h.ampereKb(), h.helidonKb()));
    }

    private static void rows(StringBuilder md, String server, java.util.List<HeapScenario.Round> rounds) {
        int i = 1;
        for (HeapScenario.Round x : rounds) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %,d | %,d | %.1f | %d | %d / %d |%n", server, i++,
                    x.beforeKb(), x.afterKb(), x.kbPerRequest(), x.returnedEarly(), x.released(), x.parked()));
        }
    }

    static String ms(double v) {
        if (Double.isNaN(v)) return "—";
        return String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v);
    }

    static String x(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return "—";
        return String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.0f", v);
    }
}
