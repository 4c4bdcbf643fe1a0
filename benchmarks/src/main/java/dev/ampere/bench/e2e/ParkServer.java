package dev.ampere.bench.e2e;

import io.helidon.webserver.WebServer;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The heap baseline: a bare Helidon server with Ampere's listener options, run as its own JVM, whose {@code GET /park} waits (up to the timeout)
 * until {@code GET /release}, then answers {@code []}. Measured like Ampere, it shows what a parked request costs in
 * the HTTP server alone. {@code GET /v1/health} answers as Ampere's does, so the same start-up wait works.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.ampere.bench.e2e.ParkServer <port> <timeout-ms>}.
 */
public final class ParkServer {
    private static volatile CountDownLatch gate = new CountDownLatch(1);

    private ParkServer() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long timeoutMillis = Long.parseLong(args[1]);
        // The listener options Ampere's HttpServer uses, so the difference is Ampere's own cost per request.
        WebServer server = WebServer.builder().host("127.0.0.1").port(port)
                .connectionOptions(o -> o.tcpNoDelay(true))
                .useNio(false)
                .routing(r -> r
                        .get("/v1/health", (req, res) -> res.send("{\"status\":\"active\"}"))
                        .get("/park", (req, res) -> {
                            gate.await(timeoutMillis, TimeUnit.MILLISECONDS);
                            res.send("[]");
                        })
                        .get("/release", (req, res) -> {
                            CountDownLatch old = gate;
                            gate = new CountDownLatch(1);
                            old.countDown();
                            res.send("released");
                        }))
                .build().start();
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(server::stop));
        Thread.currentThread().join();
    }
}
