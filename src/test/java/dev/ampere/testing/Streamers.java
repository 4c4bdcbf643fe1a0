package dev.ampere.testing;

import dev.ampere.postgres.ReplicationStreamer;

import java.time.Duration;

/** Replication streamers for tests of the connection tree that do not need changes. */
public final class Streamers {
    /** Holds the replication connection open and returns as soon as it is lost. */
    public static final ReplicationStreamer WATCH = (ctx, connection, start) -> {
        while (connection.isValid(5)) ctx.receive(Duration.ofMillis(200));
    };

    private Streamers() {}
}
