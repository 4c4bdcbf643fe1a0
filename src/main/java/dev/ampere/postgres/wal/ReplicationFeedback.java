package dev.ampere.postgres.wal;

/**
 * What the replication reader offers the code it delivers to: durability reports, and a way to keep the
 * connection alive while a delivery waits on back-pressure, so that a slow shape never lets
 * {@code wal_sender_timeout} cut the replication connection.
 */
public interface ReplicationFeedback extends DurableLsnListener {
    /**
     * Sends the server a status update now. Only the thread that runs the reader may call it, from inside a
     * {@link ChangeSink} call.
     */
    void keepAlive();
}
