package dev.ampere.process;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts processes that no supervisor owns (the root of a tree, or a helper an owner monitors itself), and runs a
 * process body on the current thread for supervisors, which fork their children in a structured scope: the first
 * run ({@link #execute}) and, for a hibernating body, each later one ({@link #resume}).
 *
 * <p>Stateless; safe from any thread.
 */
public final class Processes {
    private static final Logger log = LoggerFactory.getLogger(Processes.class);

    private Processes() {}

    /** Starts {@code body} on a new virtual thread with an unbounded mailbox. */
    public static ProcessRef spawn(String name, ProcessBody body) {
        return spawn(name, Mailbox.unbounded(), body);
    }

    public static ProcessRef spawn(String name, Mailbox mailbox, ProcessBody body) {
        ProcessRef ref = new ProcessRef(name, mailbox);
        Thread.ofVirtual().name(name).start(() -> execute(ref, body));
        return ref;
    }

    /** A ref for a process that a supervisor is about to fork. */
    static ProcessRef newRef(String name, Mailbox mailbox) {
        return new ProcessRef(name, mailbox);
    }

    /** Runs {@code body} as the process {@code ref} on the calling thread, then records its exit. */
    static void execute(ProcessRef ref, ProcessBody body) {
        execute(ref, null, null, body);
    }

    /** As {@link #execute(ProcessRef, ProcessBody)}, registering the process under {@code name} first. */
    static void execute(ProcessRef ref, ProcessRegistry registry, Object name, ProcessBody body) {
        runOnce(ref, registry, name, body);
    }

    /** A later run of a hibernated process, which its supervisor has claimed ({@link ProcessRef#claimRun}). */
    static void resume(ProcessRef ref) {
        runOnce(ref, null, null, ref.hibernatingBody());
    }

    /** One run on the calling thread: it ends in hibernation or in the process's exit. */
    private static void runOnce(ProcessRef ref, ProcessRegistry registry, Object name, ProcessBody body) {
        Thread current = Thread.currentThread();
        current.setName(ref.name());
        ref.attach(current);
        ExitReason reason;
        try {
            if (ref.stopRequested()) throw new InterruptedException("stopped before start");
            if (registry != null) registry.register(name, ref);
            body.run(new ProcessContext(ref));
            reason = ExitReason.NORMAL;
        } catch (HibernatingBody.Hibernation h) {
            if (ref.canHibernate()) {
                Thread.interrupted();
                ref.hibernated();
                return;
            }
            reason = ref.stopRequested() ? ExitReason.SHUTDOWN : new ExitReason.Crash(h);
        } catch (Throwable t) {
            // A process asked to stop may fail in many ways while unwinding (an interrupted socket read, a closed
            // connection); all of them are the shutdown it was asked for.
            reason = ref.stopRequested() ? ExitReason.SHUTDOWN : new ExitReason.Crash(t);
            if (t instanceof Error e && !(t instanceof AssertionError) && !ref.stopRequested()) {
                log.error("{} died of a JVM error", ref, e);
            }
        }
        Thread.interrupted();
        ref.exit(reason);
    }
}
