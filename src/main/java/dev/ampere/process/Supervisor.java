package dev.ampere.process;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An Erlang/OTP-style supervisor, itself a process: it starts its children in order, each in a fresh incarnation
 * forked into one {@link StructuredTaskScope} that the supervisor's thread owns, restarts them by
 * {@link Strategy} and {@link RestartType}, gives up when restarts exceed the intensity (the supervisor then
 * crashes, which escalates to its parent), stops itself when significant children exit (per
 * {@link AutoShutdown}), and on stop shuts its children down in reverse start order, each within its
 * shutdown timeout. Children can be added and removed at run time ({@link #startChild}), which makes a supervisor
 * without initial children the dynamic supervisor of the design.
 *
 * <p>Why one scope with a fork per run: only the owner thread may fork, so the supervisor's own thread does all
 * forking, restarting and stopping, driven by its mailbox; a child's exit arrives as a message posted by the
 * exiting thread. The scope guarantees no child outlives the supervisor.
 *
 * <p>Hibernating children ({@link HibernatingBody}): a hibernated child has no thread; a sender that finds it so
 * posts a wake-up request here, and this thread forks the child's next run into the same scope (or, when the
 * mailbox turned out empty, ends that run at once without a thread). Wake-ups are also served while the
 * supervisor waits for a child's start-up. A hibernated child counts as running: it is listed, stopped (without
 * a thread) and restarted like any other. A supervisor itself never hibernates: it owns its scope's thread.
 *
 * <p>Threading: all state is owned by the supervisor's thread. Other threads talk to it only through
 * {@link #startChild}, {@link #terminateChild} and {@link #children}, which are calls to its mailbox. A JVM thread
 * cannot be killed, so a child that ignores interruption beyond its shutdown timeout is reported and abandoned,
 * and the supervisor's own exit then waits for it.
 */
public final class Supervisor implements ProcessBody {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
    /** How often a supervisor waiting for a child's start-up looks for wake-ups to serve. */
    private static final Duration START_WAIT_SLICE = Duration.ofMillis(5);

    private final String name;
    private final Strategy strategy;
    private final int maxRestarts;
    private final Duration window;
    private final AutoShutdown autoShutdown;
    private final List<ChildSpec> initialChildren;

    // Owned by the supervisor's thread while it runs.
    private final Map<String, Child> children = new LinkedHashMap<>();
    private StructuredTaskScope<Object, Void> scope;
    private ProcessContext ctx;
    private Wakes wakes;
    private RestartIntensity intensity;

    /**
     * A child as the supervisor tracks it: its spec and its current incarnation (null when not running). It is
     * also the incarnation's {@link ProcessRef.Supervision}: exits and wake-ups come back to the supervisor, posted
     * by whichever thread saw them.
     */
    private static final class Child implements ProcessRef.Supervision {
        final ChildSpec spec;
        final Wakes wakes;
        ProcessRef ref;

        Child(ChildSpec spec, Wakes wakes) {
            this.spec = spec;
            this.wakes = wakes;
        }

        @Override
        public void exited(ProcessRef incarnation, ExitReason reason) {
            wakes.supervisor.send(new ChildExited(this, incarnation, reason));
        }

        @Override
        public void wake(ProcessRef incarnation) {
            wakes.add(new Wake(this, incarnation));
        }
    }

    private record ChildExited(Child child, ProcessRef ref, ExitReason reason) {}

    /** A hibernated child has mail: fork its next run. */
    private record Wake(Child child, ProcessRef ref) {}

    /** Wake-ups are waiting in {@link Wakes}. */
    private record WakesPending() {}

    /**
     * Wake-up requests, kept beside the mailbox so that the supervisor can serve them while it waits for a child's
     * start-up (which may itself wait on a process blocked on a woken child's full mailbox). One
     * {@link WakesPending} in the mailbox stands for any number of them: a requester adds, then posts it unless one
     * is already posted; the supervisor clears the flag, then drains, so a request added after the drain posts anew.
     */
    private static final class Wakes {
        final ProcessRef supervisor;
        final ConcurrentLinkedQueue<Wake> queue = new ConcurrentLinkedQueue<>();
        final AtomicBoolean posted = new AtomicBoolean();

        Wakes(ProcessRef supervisor) {
            this.supervisor = supervisor;
        }

        void add(Wake w) {
            queue.add(w);
            if (posted.compareAndSet(false, true)) supervisor.send(new WakesPending());
        }
    }

    private record StartChild(ChildSpec spec) {}

    private record TerminateChild(String id) {}

    private record WhichChildren() {}

    /** A child as seen from outside: its id and its running incarnation, if any. */
    public record ChildInfo(String id, ProcessRef ref) {}

    /** Raised (as the supervisor's crash) when its children restart more often than its intensity allows. */
    public static final class RestartIntensityExceeded extends RuntimeException {
        RestartIntensityExceeded(String supervisor, String child, ExitReason reason) {
            super(supervisor + ": too many restarts; last was " + child + " (" + reason + ")");
        }
    }

    private Supervisor(Builder b) {
        this.name = b.name;
        this.strategy = b.strategy;
        this.maxRestarts = b.maxRestarts;
        this.window = b.window;
        this.autoShutdown = b.autoShutdown;
        this.initialChildren = List.copyOf(b.children);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A one_for_one supervisor with no initial children, to which children are added at run time. */
    public static Builder dynamic(String name) {
        return new Builder(name).strategy(Strategy.ONE_FOR_ONE);
    }

    /** Starts a child under a running supervisor and returns its first incarnation once it has started. */
    public static ProcessRef startChild(ProcessRef supervisor, ChildSpec spec, Duration timeout)
            throws InterruptedException {
        return supervisor.call(new StartChild(spec), timeout);
    }

    /** Stops the child {@code id} and removes it; false when there was no such child. */
    public static boolean terminateChild(ProcessRef supervisor, String id, Duration timeout)
            throws InterruptedException {
        return supervisor.call(new TerminateChild(id), timeout);
    }

    public static List<ChildInfo> children(ProcessRef supervisor, Duration timeout) throws InterruptedException {
        return supervisor.call(new WhichChildren(), timeout);
    }

    @Override
    public void run(ProcessContext ctx) throws Exception {
        this.ctx = ctx;
        this.intensity = new RestartIntensity(maxRestarts, window);
        this.wakes = new Wakes(ctx.self());
        try (var s = StructuredTaskScope.open(Joiner.<Object>awaitAll(), cfg -> cfg.withName(name))) {
            scope = s;
            try {
                for (ChildSpec spec : initialChildren) {
                    Child child = add(spec);
                    startIncarnation(child);
                }
                ctx.started();
                loop();
            } finally {
                // Shutting down must finish even when this thread is interrupted again meanwhile.
                boolean interrupted = Thread.interrupted();
                stopAll();
                joinUninterruptibly(s);
                if (interrupted) Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() throws InterruptedException {
        while (true) {
            Object msg = ctx.receive();
            switch (msg) {
                case ChildExited e -> {
                    if (handleExit(e)) return;
                }
                case WakesPending() -> {
                    wakes.posted.set(false);
                    serveWakes();
                }
                case Call call -> handleCall(call);
                default -> log.warn("{} ignored an unexpected message: {}", name, msg);
            }
        }
    }

    /** Forks the next run of every child that asked for one. */
    private void serveWakes() {
        for (Wake w; (w = wakes.queue.poll()) != null; ) {
            ProcessRef ref = w.ref();
            // A stopped or replaced incarnation is no longer WAKING: stop() took it to EXITED.
            if (w.child().ref != ref || !ref.claimRun()) continue;
            // A sender may see HIBERNATED after the run that took its message already ended: such a wake-up finds
            // the mailbox empty and needs no thread. This thread holds the run (RUNNING) and ends it as a run would,
            // so a message arriving meanwhile still wakes the process.
            if (ref.mailbox().isEmpty()) ref.hibernated();
            else fork(() -> Processes.resume(ref));
        }
    }

    private void handleCall(Call call) throws InterruptedException {
        switch (call.request()) {
            case StartChild(ChildSpec spec) -> {
                if (children.containsKey(spec.id())) {
                    call.fail(new IllegalArgumentException("child already exists: " + spec.id()));
                    return;
                }
                Child child = add(spec);
                call.reply(startIncarnation(child));
            }
            case TerminateChild(String id) -> {
                Child child = children.remove(id);
                if (child != null) stopChild(child);
                call.reply(child != null);
            }
            case WhichChildren() -> {
                List<ChildInfo> infos = new ArrayList<>();
                for (Child c : children.values()) infos.add(new ChildInfo(c.spec.id(), c.ref));
                call.reply(infos);
            }
            default -> call.fail(new IllegalArgumentException("unknown request " + call.request()));
        }
    }

    /** Applies restart type, auto-shutdown and strategy to an exit; true when the supervisor should stop. */
    private boolean handleExit(ChildExited e) throws InterruptedException {
        Child child = e.child();
        if (child.ref != e.ref()) return false; // an incarnation we stopped ourselves, or an older one
        child.ref = null;
        logExit(child, e.reason());
        if (!child.spec.restart().restartsAfter(e.reason())) {
            if (child.spec.restart() == RestartType.TEMPORARY) children.remove(child.spec.id());
            return child.spec.significant() && autoShutdownTriggered();
        }
        if (!intensity.allow(System.nanoTime())) {
            log.error("{}: {} restarts within {} exceeded; shutting down", name, maxRestarts, window);
            throw new RestartIntensityExceeded(name, child.spec.id(), e.reason());
        }
        List<Child> toRestart = switch (strategy) {
            case ONE_FOR_ONE -> List.of(child);
            case ONE_FOR_ALL -> stopSiblings(child, new ArrayList<>(children.values()));
            case REST_FOR_ONE -> stopSiblings(child, childrenFrom(child));
        };
        for (Child c : toRestart) startIncarnation(c);
        return false;
    }

    private boolean autoShutdownTriggered() {
        return switch (autoShutdown) {
            case NEVER -> false;
            case ANY_SIGNIFICANT -> true;
            case ALL_SIGNIFICANT -> children.values().stream().noneMatch(c -> c.spec.significant() && c.ref != null);
        };
    }

    private List<Child> childrenFrom(Child child) {
        List<Child> all = new ArrayList<>(children.values());
        return new ArrayList<>(all.subList(all.indexOf(child), all.size()));
    }

    /**
     * Stops the running children of {@code group} other than {@code failed}, in reverse order, and returns the
     * group in start order without the temporary ones, which are not restarted.
     */
    private List<Child> stopSiblings(Child failed, List<Child> group) {
        for (Child c : group.reversed()) {
            if (c != failed && c.ref != null) stopChild(c);
        }
        List<Child> restart = new ArrayList<>();
        for (Child c : group) {
            if (c != failed && c.spec.restart() == RestartType.TEMPORARY) children.remove(c.spec.id());
            else restart.add(c);
        }
        return restart;
    }

    private Child add(ChildSpec spec) {
        Child child = new Child(spec, wakes);
        children.put(spec.id(), child);
        return child;
    }

    /** Forks a new incarnation of {@code child} and waits until it has started (or exited). */
    private ProcessRef startIncarnation(Child child) throws InterruptedException {
        ChildSpec spec = child.spec;
        ProcessRef ref = Processes.newRef(spec.id(), spec.mailbox().get());
        child.ref = ref;
        ref.supervise(child);
        ProcessBody body = spec.start().get();
        if (body instanceof HibernatingBody h) ref.allowHibernation(h);
        fork(() -> Processes.execute(ref, spec.registry(), spec.registeredName(), body));
        // Waiting for the start-up, keep serving wake-ups: the child's start may wait on a process that is itself
        // blocked on the full mailbox of a hibernated sibling, which only this thread can resume.
        while (!ref.awaitStartSignal(START_WAIT_SLICE)) serveWakes();
        return ref;
    }

    /** Every run of every child is forked here, into the supervisor's scope: no child thread runs outside it. */
    private void fork(Runnable run) {
        scope.fork(() -> {
            run.run();
            return null;
        });
    }

    private void stopChild(Child child) {
        ProcessRef ref = child.ref;
        child.ref = null;
        if (ref == null) return;
        if (!ref.stopUninterruptibly(child.spec.shutdownTimeout())) {
            log.error("{}: child {} did not stop within {}; abandoning it", name, child.spec.id(),
                    child.spec.shutdownTimeout());
        }
    }

    private void stopAll() {
        for (Child c : new ArrayList<>(children.values()).reversed()) stopChild(c);
    }

    private static void joinUninterruptibly(StructuredTaskScope<Object, Void> s) {
        while (true) {
            try {
                s.join();
                return;
            } catch (InterruptedException e) {
                // every child has been asked to stop; keep waiting for the last of them
            }
        }
    }

    private void logExit(Child child, ExitReason reason) {
        switch (reason) {
            case ExitReason.Crash(ExpectedFailure f) -> log.warn("{}: {} stopped: {}", name, child.spec.id(), f.getMessage());
            case ExitReason.Crash(RestartIntensityExceeded f) -> log.warn("{}: {}", name, f.getMessage());
            case ExitReason.Crash(Throwable t) -> log.error("{}: {} crashed", name, child.spec.id(), t);
            default -> log.debug("{}: {} exited ({})", name, child.spec.id(), reason);
        }
    }

    /** Configures a supervisor; defaults: one_for_one, 3 restarts in 5 s, no auto-shutdown. */
    public static final class Builder {
        private final String name;
        private Strategy strategy = Strategy.ONE_FOR_ONE;
        private int maxRestarts = 3;
        private Duration window = Duration.ofSeconds(5);
        private AutoShutdown autoShutdown = AutoShutdown.NEVER;
        private final List<ChildSpec> children = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        public Builder strategy(Strategy s) {
            this.strategy = s;
            return this;
        }

        public Builder intensity(int maxRestarts, Duration window) {
            this.maxRestarts = maxRestarts;
            this.window = window;
            return this;
        }

        public Builder autoShutdown(AutoShutdown a) {
            this.autoShutdown = a;
            return this;
        }

        public Builder child(ChildSpec spec) {
            children.add(spec);
            return this;
        }

        public Supervisor build() {
            return new Supervisor(this);
        }

        /** The supervisor as a child of another supervisor: permanent, with a generous shutdown timeout. */
        public ChildSpec asChild() {
            Builder self = this;
            return ChildSpec.of(name, () -> self.build()).withShutdownTimeout(Duration.ofSeconds(30));
        }
    }
}
