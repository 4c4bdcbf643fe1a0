package dev.ampere.process;

import java.time.Duration;

/**
 * What a running process sees of itself: its ref and its mailbox. Only the process's own thread may use it.
 *
 * <p>Start-up: a supervisor starts its children in order and waits for each to finish starting. A process
 * signals that with {@link #started()}; the first {@link #receive} counts as that signal too, so a process whose
 * set-up is done by the time it first waits for a message needs no explicit call.
 *
 * <p>A {@link HibernatingBody} gets a new context for each run; {@link #receiveOrHibernate} and {@link #hibernate}
 * end a run without ending the process.
 */
public final class ProcessContext {
    private final ProcessRef self;

    ProcessContext(ProcessRef self) {
        this.self = self;
    }

    public ProcessRef self() {
        return self;
    }

    /** Tells whoever started this process that its start-up is done. Idempotent. */
    public void started() {
        self.markStarted();
    }

    /** The next message, waiting as long as it takes. Interrupted when the process is stopped. */
    public Object receive() throws InterruptedException {
        self.markStarted();
        return self.mailbox().take();
    }

    /** The next message, or null when none arrives within {@code timeout}. */
    public Object receive(Duration timeout) throws InterruptedException {
        self.markStarted();
        return self.mailbox().poll(timeout);
    }

    /**
     * The next message if one is already queued, else null at once: never waits, never hibernates, and is not
     * interrupted by a stop (the next {@link #receive} is). For draining what has queued up, e.g. to handle several
     * messages as one batch.
     */
    public Object poll() {
        self.markStarted();
        return self.mailbox().poll();
    }

    /**
     * The next message, or, when none arrives within {@code idle}, ends this run: the process hibernates (see
     * {@link HibernatingBody}) and the next message resumes it with a new run. A process that cannot hibernate
     * (not a supervised {@link HibernatingBody}) waits as long as it takes instead.
     *
     * @throws HibernatingBody.Hibernation to end the run; let it propagate
     */
    public Object receiveOrHibernate(Duration idle) throws InterruptedException {
        self.markStarted();
        if (!self.canHibernate()) return self.mailbox().take();
        Object m = self.mailbox().poll(idle);
        if (m == null) throw HibernatingBody.Hibernation.INSTANCE;
        return m;
    }

    /**
     * Ends this run at once: the process hibernates until its next message.
     *
     * @throws IllegalStateException the process cannot hibernate (not a supervised {@link HibernatingBody})
     */
    public void hibernate() {
        if (!self.canHibernate()) throw new IllegalStateException(self + " cannot hibernate: no supervisor to wake it");
        self.markStarted();
        throw HibernatingBody.Hibernation.INSTANCE;
    }

    /** True once someone asked this process to stop. */
    public boolean stopRequested() {
        return self.stopRequested();
    }
}
