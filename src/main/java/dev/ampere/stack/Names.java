package dev.ampere.stack;

/** The registered names of a stack's singleton processes (keys in its {@link dev.ampere.process.ProcessRegistry}). */
public enum Names {
    INSPECTOR,
    CONNECTION_SUPERVISOR,
    CONNECTION_MANAGER,
    REPLICATION_SUPERVISOR,
    DYNAMIC_CONSUMER_SUPERVISOR,
    SHAPE_LOG_COLLECTOR,
    SHAPE_CACHE,
    SHAPE_FLUSHER
}
