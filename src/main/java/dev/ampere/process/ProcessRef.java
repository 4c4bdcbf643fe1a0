package dev.ampere.process;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The address of one incarnation of a process: its mailbox, its exit status and the operations other threads use
 * on it ({@link #send}, {@link #call}, {@link #monitor}, {@link #stop}). A restarted child is a new incarnation with
 * a new ref and a new mailbox, as in Erlang: messages and calls addressed to a dead incarnation are never delivered
 * to its successor. Look processes up by name in a {@link ProcessRegistry} to reach the current incarnation.
 *
 * <p>Thread-safe. Invariants: once {@link #isAlive()} is false it stays false; every pending call and every
 * monitor is answered exactly once, by the reply or by the exit.
 *
 * <h2>Runs and hibernation</h2>
 * A process executes in <em>runs</em>. An ordinary process has one run, its whole life. A supervised
 * {@link HibernatingBody} may end a run without exiting ({@link ProcessContext#receiveOrHibernate}): its thread
 * ends, and its ref, mailbox, registered name, monitors and pending calls stay as they are. The next message wakes
 * it: the sender asks the process's supervisor, which forks the next run inside its own scope, so no thread ever
 * runs outside the tree. The run state moves only along these edges:
 * <pre>
 *   RUNNING  → HIBERNATED   the run itself, after its mailbox was found empty (nothing else leaves RUNNING)
 *   RUNNING  → EXITED       the run itself, when the body returns or throws
 *   HIBERNATED → WAKING     by CAS: the first sender to see it hibernated, or the run's own re-check
 *   WAKING   → RUNNING      by CAS: the supervisor, just before it forks the next run (or, when the mailbox is
 *                           empty after all, before it ends that run at once, on its own thread: RUNNING → HIBERNATED)
 *   HIBERNATED, WAKING → EXITED   by CAS: {@link #stop}, which then records the exit on its own thread
 * </pre>
 * <b>One run at a time.</b> A run is forked only on the WAKING → RUNNING edge, which only the supervisor takes, and
 * WAKING is only reached from HIBERNATED, which only the previous run's last act publishes; so a new run never
 * starts while another one is still able to touch the body. The body's fields written by one run are visible to
 * the next: they happen before the volatile write of HIBERNATED, whose CAS reader sends the wake-up that leads to
 * the fork.
 *
 * <p><b>No lost wake-up.</b> A sender first enqueues, then reads the state; a hibernating run first writes
 * HIBERNATED, then looks at its mailbox (and at {@link #stopRequested}). Both pairs are volatile (the queue's
 * enqueue is a CAS), so in any interleaving at least one side sees the other's write: either the sender sees
 * HIBERNATED and wakes the process, or the run sees the message and wakes itself. Should both see it, the CAS
 * HIBERNATED → WAKING lets exactly one of them ask for the run, so there is never a second run either. The same
 * argument covers {@link #stop}: it sets {@code stopRequested} before it reads the state, and the run writes
 * HIBERNATED before it reads {@code stopRequested}; the CAS to EXITED decides who records the exit.
 */
public final class ProcessRef {
    private static final AtomicLong IDS = new AtomicLong();
    private static final ProcessRef[] NO_WATCHERS = new ProcessRef[0];
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    /** The monitors array once the exit sweep took it: a monitor set after that gets its Down at once. */
    private static final ProcessRef[] EXITED_WATCHERS = new ProcessRef[0];

    static final int RUNNING = 0;
    static final int HIBERNATED = 1;
    static final int WAKING = 2;
    static final int EXITED = 3;

    private static final VarHandle RUN;
    private static final VarHandle MONITORS;
    private static final VarHandle PENDING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RUN = l.findVarHandle(ProcessRef.class, "run", int.class);
            MONITORS = l.findVarHandle(ProcessRef.class, "monitors", ProcessRef[].class);
            PENDING = l.findVarHandle(ProcessRef.class, "pendingCalls", Set.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The parent's side of a supervised process: told of the exit before anyone else, and asked for the next run of
     * a hibernated process.
     */
    interface Supervision {
        void exited(ProcessRef ref, ExitReason reason);

        void wake(ProcessRef ref);
    }

    private final long id = IDS.incrementAndGet();
    private final String name;
    private final Mailbox mailbox;
    private final CompletableFuture<ExitReason> termination = new CompletableFuture<>();
    private java.util.List<Consumer<ExitReason>> exitActions; // guarded by this; null until the first onExit
    private boolean exitActionsRan;                              // guarded by this
    // Swapped for the shared DONE once signalled: a long-lived (often hibernated) process keeps no future of its own.
    private volatile CompletableFuture<Void> started = new CompletableFuture<>();
    /** Created on the first call: most processes are never called. */
    private volatile Set<CompletableFuture<Object>> pendingCalls;
    /** Copy on write: a process has few watchers, and changes to them are rare. */
    private volatile ProcessRef[] monitors = NO_WATCHERS;
    private volatile Thread thread;
    private volatile boolean stopRequested;
    private volatile Supervision supervision;
    /** The body of a process that may hibernate (set by its supervisor), else null. */
    private volatile HibernatingBody hibernating;
    private volatile int run = RUNNING;
    /** The registry and name this process took first, released when it exits. */
    private volatile ProcessRegistry registry;
    private volatile Object registeredName;
    /** Set first on exit, so the process is dead to everyone before any exit notification goes out. */
    private volatile ExitReason exitReason;

    ProcessRef(String name, Mailbox mailbox) {
        this.name = name;
        this.mailbox = mailbox;
    }

    public String name() {
        return name;
    }

    /** The name this process registered under (kept after its exit, for its monitors), or null. */
    public Object registeredName() {
        return registeredName;
    }

    public boolean isAlive() {
        return exitReason == null;
    }

    /** True while the process is alive without a run: hibernated, or woken and waiting for its next run. */
    public boolean isHibernating() {
        int r = run;
        return (r == HIBERNATED || r == WAKING) && isAlive();
    }

    /** How the process exited, or empty while it runs. */
    public Optional<ExitReason> exitReason() {
        return Optional.ofNullable(exitReason);
    }

    /**
     * Delivers a message; false when the process is dead (the message is dropped, as in Erlang). With a bounded
     * mailbox this blocks while the mailbox is full; an interrupted sender gets false with its interrupt flag set.
     * A hibernated process is woken.
     */
    public boolean send(Object message) {
        if (!isAlive()) return false;
        try {
            mailbox.put(message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        wakeIfHibernated();
        return true;
    }

    /** Like {@link #send} but gives up when a bounded mailbox stays full for {@code timeout}. */
    public boolean trySend(Object message, Duration timeout) throws InterruptedException {
        if (!isAlive() || !mailbox.offer(message, timeout)) return false;
        wakeIfHibernated();
        return true;
    }

    /**
     * Sends {@code request} wrapped in a {@link Call} and waits for the answer.
     *
     * @throws CallException.NoProcess the process is dead or exited before answering
     * @throws CallException.Timeout   no answer within {@code timeout}
     * @throws CallException.Failed    the process answered with an error
     */
    @SuppressWarnings("unchecked")
    public <R> R call(Object request, Duration timeout) throws InterruptedException {
        CompletableFuture<Object> reply = new CompletableFuture<>();
        Set<CompletableFuture<Object>> pending = pendingCalls();
        pending.add(reply);
        // The exit sweep and this check are ordered through the volatile exit reason: either the sweep sees
        // the pending call, or this thread sees the process dead. No call can be forgotten.
        if (!isAlive()) failCall(reply);
        else if (!send(new Call(request, reply))) failCall(reply);
        try {
            return (R) reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new CallException.Timeout(this, request);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CallException ce) throw ce;
            throw new CallException.Failed(this, e.getCause());
        } finally {
            pending.remove(reply);
        }
    }

    private Set<CompletableFuture<Object>> pendingCalls() {
        Set<CompletableFuture<Object>> p = pendingCalls;
        if (p != null) return p;
        Set<CompletableFuture<Object>> fresh = ConcurrentHashMap.newKeySet();
        Object witness = PENDING.compareAndExchange(this, null, fresh);
        @SuppressWarnings("unchecked")
        Set<CompletableFuture<Object>> won = witness == null ? fresh : (Set<CompletableFuture<Object>>) witness;
        return won;
    }

    private void failCall(CompletableFuture<Object> reply) {
        reply.completeExceptionally(new CallException.NoProcess(this, exitReason));
    }

    /** {@code watcher} receives a {@link Down} when this process exits, or at once when it already has. */
    public void monitor(ProcessRef watcher) {
        while (true) {
            ProcessRef[] cur = monitors;
            if (cur == EXITED_WATCHERS) {
                watcher.send(new Down(this, exitReason));
                return;
            }
            ProcessRef[] next = Arrays.copyOf(cur, cur.length + 1);
            next[cur.length] = watcher;
            if (MONITORS.compareAndSet(this, cur, next)) return;
        }
    }

    /** Removes one monitor set by {@code watcher}, if it has not fired yet. */
    public void demonitor(ProcessRef watcher) {
        while (true) {
            ProcessRef[] cur = monitors;
            int i = Arrays.asList(cur).indexOf(watcher);
            if (i < 0 || cur == EXITED_WATCHERS) return;
            ProcessRef[] next = new ProcessRef[cur.length - 1];
            System.arraycopy(cur, 0, next, 0, i);
            System.arraycopy(cur, i + 1, next, i, cur.length - i - 1);
            if (MONITORS.compareAndSet(this, cur, next.length == 0 ? NO_WATCHERS : next)) return;
        }
    }

    /**
     * Runs {@code action} on the exiting thread when the process exits, or at once when it already has. Actions run
     * before waiters on {@link #awaitExit} wake, so whoever sees the exit also sees what the actions did (a
     * subscription closed, say). Kept apart from the termination future for that reason: a future's dependent
     * actions run only after its waiters may already have woken.
     */
    public void onExit(Consumer<ExitReason> action) {
        synchronized (this) {
            if (!exitActionsRan) {
                if (exitActions == null) exitActions = new java.util.ArrayList<>(2);
                exitActions.add(action);
                return;
            }
        }
        action.accept(exitReason);
    }

    private void runExitActions(ExitReason reason) {
        java.util.List<Consumer<ExitReason>> actions;
        synchronized (this) {
            exitActionsRan = true;
            actions = exitActions;
            exitActions = null;
        }
        if (actions == null) return;
        for (Consumer<ExitReason> a : actions) {
            try {
                a.accept(reason);
            } catch (RuntimeException e) {
                // an exit action's failure must not keep the others, or the waiters, from their turn
            }
        }
    }

    /**
     * Asks the process to stop: it is interrupted, and its exit counts as a shutdown. Returns at once. A
     * hibernated process has no thread to interrupt: it exits right here, on the caller's thread.
     */
    public void stop() {
        stopRequested = true;
        while (true) {
            int r = run;
            if (r == HIBERNATED || r == WAKING) {
                if (RUN.compareAndSet(this, r, EXITED)) {
                    exitWithoutRun();
                    return;
                }
                continue; // a sender woke it, or the supervisor started its run: look again
            }
            // RUNNING: the run sees stopRequested (it is interrupted, or it checks before it hibernates). EXITED:
            // nothing to do.
            Thread t = thread;
            if (t != null) t.interrupt();
            return;
        }
    }

    /** {@link #stop()} then waits up to {@code timeout} for the exit; true when the process has exited. */
    public boolean stop(Duration timeout) throws InterruptedException {
        stop();
        return awaitExit(timeout).isPresent();
    }

    /**
     * {@link #stop()} then waits up to {@code timeout} for the exit even if the caller is interrupted meanwhile (the
     * interrupt is kept for later). For clean-up paths, which must not leave a process behind because their own
     * thread was interrupted. True when the process has exited.
     */
    public boolean stopUninterruptibly(Duration timeout) {
        stop();
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    long left = deadline - System.nanoTime();
                    termination.get(Math.max(0, left), TimeUnit.NANOSECONDS);
                    return true;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    return false;
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e);
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Waits up to {@code timeout} for the process to exit. */
    public Optional<ExitReason> awaitExit(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(termination.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits up to {@code timeout} for the start-up signal (or the exit); true once it came. */
    boolean awaitStartSignal(Duration timeout) throws InterruptedException {
        try {
            started.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    Mailbox mailbox() {
        return mailbox;
    }

    boolean stopRequested() {
        return stopRequested;
    }

    void attach(Thread t) {
        thread = t;
        if (stopRequested) t.interrupt();
    }

    void markStarted() {
        signalStarted();
    }

    /** Completes the start-up signal; a waiter that read the old future sees it completed. */
    private void signalStarted() {
        CompletableFuture<Void> s = started;
        if (s == DONE) return;
        s.complete(null);
        started = DONE;
    }

    /**
     * Set by the supervisor before the incarnation starts; its exit hook runs before anyone else can observe the
     * exit, so that a call to the supervisor made after seeing a child's exit is always handled after the supervisor
     * heard of it.
     */
    void supervise(Supervision s) {
        supervision = s;
    }

    /** Records the first registered name, to release at exit; false when one is recorded already. */
    synchronized boolean releaseOnExit(ProcessRegistry r, Object name) {
        if (registry != null) return false;
        registeredName = name;
        registry = r;
        return true;
    }

    /** Set by the supervisor before the first run: the process may hibernate, and this body resumes it. */
    void allowHibernation(HibernatingBody body) {
        hibernating = body;
    }

    /** True when the process may end a run without exiting: a hibernating body with a supervisor to wake it. */
    boolean canHibernate() {
        return hibernating != null && supervision != null;
    }

    HibernatingBody hibernatingBody() {
        return hibernating;
    }

    /** The supervisor's side of a wake-up: true when it may fork the next run (WAKING → RUNNING). */
    boolean claimRun() {
        return RUN.compareAndSet(this, WAKING, RUNNING);
    }

    /**
     * The run's last act when it hibernates: publish HIBERNATED, then look for what may have arrived meanwhile
     * (see the class comment for why no wake-up is lost). Also called by the supervisor for a wake-up it claimed
     * that finds the mailbox empty: it then holds the run, so the same argument applies.
     */
    void hibernated() {
        markStarted();
        thread = null; // before HIBERNATED is published, so it never clears the next run's thread
        run = HIBERNATED;
        if (stopRequested) {
            if (RUN.compareAndSet(this, HIBERNATED, EXITED)) exitWithoutRun();
        } else if (!mailbox.isEmpty()) {
            wakeIfHibernated();
        }
    }

    private void wakeIfHibernated() {
        if (run == HIBERNATED && RUN.compareAndSet(this, HIBERNATED, WAKING)) supervision.wake(this);
    }

    /** A hibernated process stopped: its body cleans up on this thread, then the exit is recorded. */
    private void exitWithoutRun() {
        try {
            hibernating.stoppedWhileHibernated();
        } catch (RuntimeException e) {
            exit(new ExitReason.Crash(e));
            return;
        }
        exit(ExitReason.SHUTDOWN);
    }

    /**
     * Called once, by the process's last run as its last act (or by {@link #stop} for a hibernated process). Order
     * matters: the process is dead to everyone first; its supervisor and monitors are told before waiters on
     * {@link #awaitExit} wake, so a message sent to a supervisor or monitor after seeing the exit is always handled
     * after that process heard of it.
     */
    void exit(ExitReason reason) {
        run = EXITED;
        exitReason = reason;
        ProcessRegistry r = registry;
        if (r != null) r.unregister(registeredName, this);
        Supervision s = supervision;
        if (s != null) s.exited(this, reason);
        ProcessRef[] watchers = (ProcessRef[]) MONITORS.getAndSet(this, EXITED_WATCHERS);
        for (ProcessRef watcher : watchers) watcher.send(new Down(this, reason));
        Set<CompletableFuture<Object>> pending = (Set<CompletableFuture<Object>>) PENDING.getVolatile(this);
        if (pending == null) pending = pendingCalls(); // a call racing the exit must land in a set swept here
        for (CompletableFuture<Object> call : pending) failCall(call);
        runExitActions(reason);
        termination.complete(reason);
        signalStarted();
        // Release senders blocked on a full bounded mailbox; nothing will read it again.
        mailbox.close();
        thread = null;
        hibernating = null;
    }

    @Override
    public String toString() {
        return "<" + name + "#" + id + ">";
    }
}
