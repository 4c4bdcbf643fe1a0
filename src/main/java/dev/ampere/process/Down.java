package dev.ampere.process;

/**
 * Delivered to a monitoring process's mailbox when the monitored process exits (or at once, when it had already
 * exited when the monitor was set).
 */
public record Down(ProcessRef process, ExitReason reason) {}
