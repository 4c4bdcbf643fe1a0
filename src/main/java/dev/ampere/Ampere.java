package dev.ampere;

import dev.ampere.config.Config;
import dev.ampere.http.HttpServer;
import dev.ampere.postgres.ReplicationStreamer;
import dev.ampere.process.ExitReason;
import dev.ampere.process.ProcessRef;
import dev.ampere.process.Processes;
import dev.ampere.replication.WalStreamer;
import dev.ampere.stack.Stack;
import dev.ampere.StackSupervisor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * One running Ampere: a stack (its supervision tree) and the HTTP server in front of it. {@link Main} runs one
 * per JVM; tests start several against the same database.
 *
 * <p>Threading: start and close from one thread.
 */
public final class Ampere implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Ampere.class);

    private final Stack stack;
    private final ProcessRef root;
    private final HttpServer http;

    private Ampere(Stack stack, ProcessRef root, HttpServer http) {
        this.stack = stack;
        this.root = root;
        this.http = http;
    }

    /** Starts a stack that streams changes into its shapes. */
    public static Ampere start(Config config) {
        return start(config, WalStreamer::new);
    }

    /** Starts a stack whose replication client runs the given streamer (tests of the connection tree use this). */
    public static Ampere start(Config config, java.util.function.Function<Stack, ReplicationStreamer> streamerFactory) {
        LogBridge.install();
        Stack stack = new Stack(config);
        ReplicationStreamer streamer = streamerFactory.apply(stack);
        ProcessRef root = Processes.spawn("stack:" + stack.id(), StackSupervisor.build(stack, streamer));
        root.onExit(reason -> {
            if (reason instanceof ExitReason.Crash(Throwable t)) log.error("the stack stopped: {}", t.getMessage());
        });
        HttpServer http = HttpServer.start(config, stack);
        return new Ampere(stack, root, http);
    }

    public Stack stack() {
        return stack;
    }

    public ProcessRef root() {
        return root;
    }

    public int httpPort() {
        return http.port();
    }

    @Override
    public void close() {
        http.close();
        try {
            root.stop(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
