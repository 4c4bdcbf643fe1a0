package dev.ampere.process;

/**
 * A process body that keeps its state in the object, not on a thread's stack, so that it can end a run without
 * exiting and be resumed later: it <em>hibernates</em> (Erlang's {@code hibernate_after}). While hibernated the
 * process keeps its ref, mailbox, registered name, monitors and pending calls, and holds no thread; the next message
 * wakes it and {@link #resume} runs again on a new virtual thread, forked by its supervisor inside the supervisor's
 * own scope (see {@link ProcessRef} for the run state machine and why no wake-up is lost).
 *
 * <p>A run ends in one of four ways: {@link #resume} returns (normal exit), throws (a crash), is interrupted while
 * the process is being stopped (shutdown), or hibernates through {@link ProcessContext#receiveOrHibernate} or
 * {@link ProcessContext#hibernate} (the process lives on). A {@code finally} in {@link #resume} therefore runs at
 * every hibernation too: clean-up that belongs to the exit goes where the body knows it is exiting, and in
 * {@link #stoppedWhileHibernated}.
 *
 * <p>Only a supervised process hibernates (a supervisor forks its runs); started any other way, it never does and
 * {@link ProcessContext#receiveOrHibernate} waits like {@link ProcessContext#receive}. A hibernating child's
 * start-up must not call a hibernated sibling: the sibling is woken by the supervisor, which is waiting for the
 * start-up to finish.
 *
 * <p>Threading: runs never overlap, and what one run wrote is visible to the next, so the body's fields need no
 * synchronisation; they are confined to whichever thread runs the process at the time.
 */
public interface HibernatingBody extends ProcessBody {
    /** One run of the process: its first, and each one after a wake-up. */
    void resume(ProcessContext ctx) throws Exception;

    /**
     * Called instead of a run when the process is stopped while hibernated, on the stopping thread, before its exit
     * is announced to its supervisor and monitors. An exception counts as a crash. Nothing by default.
     */
    default void stoppedWhileHibernated() {}

    @Override
    default void run(ProcessContext ctx) throws Exception {
        resume(ctx);
    }

    /**
     * Thrown by {@link ProcessContext#hibernate} to end the run; never catch it. It carries no stack trace and is
     * not an error: the process lives on.
     */
    final class Hibernation extends RuntimeException {
        static final Hibernation INSTANCE = new Hibernation();

        private Hibernation() {
            super("hibernating", null, false, false);
        }
    }
}
