package dev.ampere.metrics;

import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

import static dev.ampere.testing.RunningAmpere.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /metrics over real HTTP on its own port, against a real stack and Postgres: every figure moves when what it
 * counts happens. Each test reads the figures before and after its own action, so the tests share one stack.
 */
class MetricsEndpointTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static RunningAmpere stack;

    @BeforeAll
    static void start() throws Exception {
        stack = new RunningAmpere("ELECTRIC_PROMETHEUS_PORT", "0", "ELECTRIC_ENABLE_INTEGRATION_TESTING", "true");
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) stack.close();
    }

    static PrometheusText scrape() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + stack.ampere.metricsPort().orElseThrow() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"),
                r.headers().toString());
        return PrometheusText.parse(r.body());
    }

    /** Scrapes until {@code condition} holds (figures cached for a second or two move on their next read). */
    static PrometheusText awaitScrape(Predicate<PrometheusText> condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        PrometheusText last = scrape();
        while (!condition.test(last)) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what + ": " + last.ours());
            Thread.sleep(100);
            last = scrape();
        }
        return last;
    }

    private static final String SHAPE_200 = "ampere_http_requests_total{method=\"GET\",route=\"shape\",status=\"200\"}";

    @Test
    void servedOnItsOwnPortWithJvmAndProcessFigures() throws Exception {
        PrometheusText m = scrape();
        for (String series : new String[] {"jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"}",
                "process_uptime_seconds", "jvm_threads_live_threads", "process_cpu_usage", "jvm_classes_loaded_classes",
                "electric_shapes_total_shapes_count", "ampere_http_live_requests_waiting"}) {
            assertTrue(m.has(series) || series.startsWith("jvm_memory_used_bytes") && m.samples().keySet().stream()
                    .anyMatch(k -> k.startsWith("jvm_memory_used_bytes{")), "missing " + series);
        }
        double uptime = m.value("process_uptime_seconds");
        awaitScrape(n -> n.value("process_uptime_seconds") > uptime, "the uptime to move");
        // The public port does not serve it.
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + stack.ampere.httpPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode());
    }

    @Test
    void notServedWithoutThePort() throws Exception {
        try (RunningAmpere plain = new RunningAmpere()) {
            assertTrue(plain.ampere.metricsPort().isEmpty());
        }
    }

    @Test
    void shapesCreatedSnapshottedAndRemoved() throws Exception {
        stack.sql("CREATE TABLE lifecycle (id int PRIMARY KEY, v text)",
                "INSERT INTO lifecycle SELECT g, 'v' || g FROM generate_series(1, 7) g");
        PrometheusText before = scrape();
        HttpResponse<String> r = stack.shape(params("table", "lifecycle", "offset", "-1"));
        assertEquals(200, r.statusCode(), r.body());
        String handle = r.headers().firstValue("electric-handle").orElseThrow();
        // A snapshot is counted once stored, which may follow its response (and an earlier test's snapshot may
        // be counted meanwhile): wait for this one's rows and its duration. The two are recorded one after the other
        // and a scrape reads one after the other, so a scrape between the two records shows only one of them.
        PrometheusText after = awaitScrape(m -> m.value("ampere_snapshot_rows_total")
                >= before.value("ampere_snapshot_rows_total") + 7
                && m.value("ampere_snapshot_duration_seconds_count") > before.value("ampere_snapshot_duration_seconds_count"),
                "the snapshot to be counted");
        assertEquals(before.value("ampere_shape_creations_total") + 1, after.value("ampere_shape_creations_total"));
        assertEquals(before.value("electric_shapes_total_shapes_count") + 1, after.value("electric_shapes_total_shapes_count"));
        assertTrue(after.value("ampere_snapshot_duration_seconds_count")
                > before.value("ampere_snapshot_duration_seconds_count"));
        assertTrue(after.value("ampere_snapshot_duration_seconds_sum") > before.value("ampere_snapshot_duration_seconds_sum"));
        assertEquals(before.valueOrZero(SHAPE_200) + 1, after.value(SHAPE_200));
        assertEquals(before.valueOrZero("electric_plug_serve_shape_requests_total{status=\"200\"}") + 1,
                after.value("electric_plug_serve_shape_requests_total{status=\"200\"}"));

        HttpResponse<String> deleted = stack.send("DELETE", params("table", "lifecycle", "handle", handle));
        assertEquals(202, deleted.statusCode(), deleted.body());
        PrometheusText gone = awaitScrape(m -> m.value("ampere_shape_removals_total")
                > before.value("ampere_shape_removals_total"), "the removal to be counted");
        assertEquals(before.value("electric_shapes_total_shapes_count"), gone.value("electric_shapes_total_shapes_count"));
        assertEquals(before.valueOrZero("ampere_http_requests_total{method=\"DELETE\",route=\"shape\",status=\"202\"}") + 1,
                gone.value("ampere_http_requests_total{method=\"DELETE\",route=\"shape\",status=\"202\"}"));
    }

    @Test
    void failedSnapshotsAndBadRequestsAreCounted() throws Exception {
        stack.sql("CREATE TABLE failing (id int PRIMARY KEY, d int)", "INSERT INTO failing VALUES (1, 0)");
        PrometheusText before = scrape();
        String bad = "ampere_http_requests_total{method=\"GET\",route=\"shape\",status=\"400\"}";
        assertEquals(400, stack.shape(params("table", "no_such_table", "offset", "-1")).statusCode());
        HttpResponse<String> r = stack.shape(params("table", "failing", "offset", "-1", "where", "10 / d > 1"));
        assertEquals(400, r.statusCode(), r.body());
        PrometheusText after = awaitScrape(m -> m.value("ampere_snapshot_failures_total")
                > before.value("ampere_snapshot_failures_total"), "the failed snapshot to be counted");
        assertEquals(before.valueOrZero(bad) + 2, after.value(bad));
    }

    @Test
    void transactionsChangesUnmatchedChangesFlushesAndLag() throws Exception {
        stack.sql("CREATE TABLE flow (id int PRIMARY KEY, v text)");
        HttpResponse<String> r = stack.shape(params("table", "flow", "offset", "-1", "where", "id < 1000"));
        assertEquals(200, r.statusCode(), r.body());
        PrometheusText before = scrape();
        stack.sql("INSERT INTO flow SELECT g, 'x' FROM generate_series(1, 5) g");
        PrometheusText after = awaitScrape(m -> m.value("electric_postgres_replication_transaction_received_total")
                > before.value("electric_postgres_replication_transaction_received_total")
                && m.value("ampere_storage_flush_duration_seconds_count")
                > before.value("ampere_storage_flush_duration_seconds_count"), "the transaction to be stored");
        assertTrue(after.value("ampere_replication_changes_total") >= before.value("ampere_replication_changes_total") + 5);
        assertEquals(before.value("ampere_replication_changes_unmatched_total"),
                after.value("ampere_replication_changes_unmatched_total"));
        assertTrue(after.value("ampere_replication_lag_seconds_count") > before.value("ampere_replication_lag_seconds_count"));
        assertFalse(Double.isNaN(after.value("ampere_replication_last_lag_seconds")));

        // Two rows outside the shape's where clause: changes that hit no shape.
        stack.sql("INSERT INTO flow VALUES (5000, 'a'), (5001, 'b')");
        PrometheusText unmatched = awaitScrape(m -> m.value("ampere_replication_changes_unmatched_total")
                >= after.value("ampere_replication_changes_unmatched_total") + 2, "the unmatched changes");
        assertEquals(after.value("ampere_replication_changes_unmatched_total") + 2,
                unmatched.value("ampere_replication_changes_unmatched_total"));
    }

    @Test
    void liveRequestsWaitingAndActiveShapes() throws Exception {
        stack.sql("CREATE TABLE live (id int PRIMARY KEY)");
        HttpResponse<String> r = stack.shape(params("table", "live", "offset", "-1"));
        String handle = r.headers().firstValue("electric-handle").orElseThrow();
        String offset = r.headers().firstValue("electric-offset").orElseThrow();
        PrometheusText before = scrape();
        CompletableFuture<HttpResponse<String>> parked = CompletableFuture.supplyAsync(() -> {
            try {
                return stack.shape(params("table", "live", "handle", handle, "offset", offset, "live", "true"));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        // The shape gauges of one scrape come from one walk of the directory, so total = active + idle holds in each.
        PrometheusText waiting = awaitScrape(m -> m.value("ampere_http_live_requests_waiting")
                > before.value("ampere_http_live_requests_waiting")
                && m.value("electric_shapes_active_shapes_count") >= 1, "the live request to park");
        assertEquals(waiting.value("electric_shapes_total_shapes_count"),
                waiting.value("electric_shapes_active_shapes_count") + waiting.value("ampere_shapes_idle_count"));
        stack.sql("INSERT INTO live VALUES (1)");
        assertEquals(200, parked.get().statusCode());
        awaitScrape(m -> m.value("ampere_http_live_requests_waiting") == before.value("ampere_http_live_requests_waiting"),
                "the live request to leave");
    }

    @Test
    void walRetainedConfirmedFlushLagAndStorageBytes() throws Exception {
        PrometheusText first = awaitScrape(m -> !Double.isNaN(
                m.value("electric_postgres_replication_slot_retained_wal_size_bytes")), "the slot's figures");
        assertTrue(first.value("electric_postgres_replication_slot_confirmed_flush_lsn_lag_bytes") >= 0);
        double retained = first.value("electric_postgres_replication_slot_retained_wal_size_bytes");
        double storage = first.value("electric_storage_used_bytes");
        stack.sql("CREATE TABLE bulk (id int PRIMARY KEY, v text)");
        assertEquals(200, stack.shape(params("table", "bulk", "offset", "-1")).statusCode());
        stack.sql("INSERT INTO bulk SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g");
        awaitScrape(m -> m.value("electric_postgres_replication_slot_retained_wal_size_bytes") != retained,
                "the retained WAL to move");
        awaitScrape(m -> m.value("electric_storage_used_bytes") > storage, "the stored bytes to grow");
    }

    @Test
    void admissionRejectionsThroughTheirHook() throws Exception {
        String series = "electric_admission_control_reject_total{kind=\"initial\"}";
        double before = scrape().valueOrZero(series);
        stack.ampere.metrics().http().admissionRejected("initial");
        assertEquals(before + 1, scrape().value(series));
    }
}
