package dev.ampere.process;

import java.time.Duration;
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
 */
public final class ProcessRef {
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final String name;
    private final Mailbox mailbox;
    private final CompletableFuture<ExitReason> termination = new CompletableFuture<>();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final Set<CompletableFuture<Object>> pendingCalls = ConcurrentHashMap.newKeySet();
    private final Set<ProcessRef> monitors = ConcurrentHashMap.newKeySet();
    private volatile Thread thread;
    private volatile boolean stopRequested;
    private volatile Consumer<ExitReason> supervisorHook;
    /** Set first on exit, so the process is dead to everyone before any exit notification goes out. */
    private volatile ExitReason exitReason;

    ProcessRef(String name, Mailbox mailbox) {
        this.name = name;
        this.mailbox = mailbox;
    }

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return exitReason == null;
    }

    /** How the process exited, or empty while it runs. */
    public Optional<ExitReason> exitReason() {
        return Optional.ofNullable(exitReason);
    }

    /**
     * Delivers a message; false when the process is dead (the message is dropped, as in Erlang). With a bounded
     * mailbox this blocks while the mailbox is full; an interrupted sender gets false with its interrupt flag set.
     */
    public boolean send(Object message) {
        if (!isAlive()) return false;
        try {
            mailbox.put(message);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Like {@link #send} but gives up when a bounded mailbox stays full for {@code timeout}. */
    public boolean trySend(Object message, Duration timeout) throws InterruptedException {
        return isAlive() && mailbox.offer(message, timeout);
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
        pendingCalls.add(reply);
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
            pendingCalls.remove(reply);
        }
    }

    private void failCall(CompletableFuture<Object> reply) {
        reply.completeExceptionally(new CallException.NoProcess(this, exitReason));
    }

    /** {@code watcher} receives a {@link Down} when this process exits, or at once when it already has. */
    public void monitor(ProcessRef watcher) {
        monitors.add(watcher);
        if (!isAlive() && monitors.remove(watcher)) watcher.send(new Down(this, exitReason));
    }

    public void demonitor(ProcessRef watcher) {
        monitors.remove(watcher);
    }

    /** Runs {@code action} on the exiting thread when the process exits, or at once when it already has. */
    public void onExit(Consumer<ExitReason> action) {
        termination.thenAccept(action);
    }

    /** Asks the process to stop: it is interrupted, and its exit counts as a shutdown. Returns at once. */
    public void stop() {
        stopRequested = true;
        Thread t = thread;
        if (t != null) t.interrupt();
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

    /** Waits until the process has signalled that its start-up is done, or has exited; true if it started. */
    boolean awaitStarted(Duration timeout) throws InterruptedException {
        try {
            started.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        return isAlive() || exitReason().filter(r -> !r.isAbnormal()).isPresent();
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
        started.complete(null);
    }

    /**
     * Set by the supervisor before the incarnation starts; runs before anyone else can observe the exit, so that a
     * call to the supervisor made after seeing a child's exit is always handled after the supervisor heard of it.
     */
    void onExitFirst(Consumer<ExitReason> hook) {
        supervisorHook = hook;
    }

    /**
     * Called once, by the process's own thread, as its last act. Order matters: the process is dead to everyone
     * first; its supervisor and monitors are told before waiters on {@link #awaitExit} wake, so a message sent to a
     * supervisor or monitor after seeing the exit is always handled after that process heard of it.
     */
    void exit(ExitReason reason) {
        exitReason = reason;
        Consumer<ExitReason> hook = supervisorHook;
        if (hook != null) hook.accept(reason);
        for (ProcessRef watcher : monitors) {
            if (monitors.remove(watcher)) watcher.send(new Down(this, reason));
        }
        for (CompletableFuture<Object> call : pendingCalls) failCall(call);
        termination.complete(reason);
        started.complete(null);
        // Release senders blocked on a full bounded mailbox; nothing will read it again.
        while (mailbox.poll() != null) {
            // drop
        }
        thread = null;
    }

    @Override
    public String toString() {
        return "<" + name + "#" + id + ">";
    }
}
