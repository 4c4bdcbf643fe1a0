package dev.ampere.process;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Unique names for the processes of one stack: key (for example {@code ("consumer", handle)}) to the live
 * incarnation. A name is released automatically when its process exits, so a restarted child can take it again.
 *
 * <p>Thread-safe; lookups are lock-free.
 */
public final class ProcessRegistry {
    private final ConcurrentMap<Object, ProcessRef> names = new ConcurrentHashMap<>();

    /** Raised when a name is held by another live process. */
    public static final class AlreadyRegistered extends RuntimeException {
        AlreadyRegistered(Object key, ProcessRef holder) {
            super(key + " is already registered to " + holder);
        }
    }

    /** Registers {@code ref} under {@code key}; a name held by a dead process is taken over. */
    public void register(Object key, ProcessRef ref) {
        ProcessRef holder = names.compute(key, (k, old) -> old == null || !old.isAlive() ? ref : old);
        if (holder != ref) throw new AlreadyRegistered(key, holder);
        // The first name a process takes is released by its exit directly (two fields on the ref, rather than an
        // exit callback per process: a stack registers one consumer per shape); any further name by a callback.
        if (!ref.releaseOnExit(this, key)) ref.onExit(reason -> names.remove(key, ref));
        // An exit racing this registration: it reads the fields after marking the process dead, and this reads the
        // exit after writing them, so at least one of the two removes the name.
        if (!ref.isAlive()) names.remove(key, ref);
    }

    public Optional<ProcessRef> whereis(Object key) {
        ProcessRef ref = names.get(key);
        return ref != null && ref.isAlive() ? Optional.of(ref) : Optional.empty();
    }

    public void unregister(Object key, ProcessRef ref) {
        names.remove(key, ref);
    }

    public int size() {
        return names.size();
    }
}
