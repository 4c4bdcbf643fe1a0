package dev.ampere.stack;

import dev.ampere.config.Config;
import dev.ampere.process.ProcessRegistry;

/**
 * What is truly stack-wide and never changes hands: the stack's id and configuration, its process registry and its
 * event bus. Everything else a process shares (the query pool, table metadata, the live shapes, replication
 * progress) is a typed, read-only view that its owner hands out and that supervisors pass down by constructor.
 *
 * <p>Immutable apart from the registry and the event bus, which are thread-safe.
 */
public final class Stack {
    private final Config config;
    private final StackEvents events;
    private final ProcessRegistry registry = new ProcessRegistry();

    public Stack(Config config) {
        this.config = config;
        this.events = new StackEvents(config.stackId());
    }

    public String id() {
        return config.stackId();
    }

    public Config config() {
        return config;
    }

    public StackEvents events() {
        return events;
    }

    public ProcessRegistry registry() {
        return registry;
    }
}
