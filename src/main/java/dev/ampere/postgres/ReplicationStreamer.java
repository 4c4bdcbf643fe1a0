package dev.ampere.postgres;

import dev.ampere.changes.Lsn;

import dev.ampere.process.ProcessContext;

import java.sql.Connection;

/**
 * What the ReplicationClient does once it is told to stream: read the slot from {@code start} on a prepared
 * replication connection, until the connection fails (throw) or the process is stopped (interrupted).
 */
@FunctionalInterface
public interface ReplicationStreamer {
    void stream(ProcessContext ctx, Connection replicationConnection, Lsn start) throws Exception;
}
