package dev.ampere.process;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Supervisor semantics shown by behaviour: children record "id:start" when they start and "id:down" when they
 * exit, and the tests read that event log in order. Every wait is on an event, never on time.
 */
class SupervisorTest {
    private static final Duration T = Duration.ofSeconds(10);

    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final ProcessRegistry registry = new ProcessRegistry();

    /** A child that crashes on "crash", returns on "exit", and answers calls with its own ref. */
    private ChildSpec worker(String id) {
        return ChildSpec.of(id, () -> ctx -> {
            events.add(id + ":start");
            try {
                while (true) {
                    Object m = ctx.receive();
                    if ("crash".equals(m)) throw new IllegalStateException(id + " crashed on purpose");
                    if ("exit".equals(m)) return;
                    if (m instanceof Call c) c.reply(ctx.self());
                }
            } finally {
                events.add(id + ":down");
            }
        }).registeredAs(registry, id);
    }

    private void expect(String... expected) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        for (String ignored : expected) {
            String e = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(e, "timed out; saw " + seen + ", expected " + List.of(expected));
            seen.add(e);
        }
        assertEquals(List.of(expected), seen);
    }

    /**
     * After a synchronous call to the supervisor, no event may be pending: nothing else happened. A child logs
     * ":down" just before it exits, so a test first waits for the child's exit ({@link ProcessRef#awaitExit}); the
     * supervisor hears of an exit before any waiter wakes, so the call is then ordered after it.
     */
    private void expectNothingElse(ProcessRef sup) throws InterruptedException {
        Supervisor.children(sup, T);
        assertEquals(List.of(), new ArrayList<>(events));
    }

    private ProcessRef ref(String id) {
        return registry.whereis(id).orElseThrow();
    }

    private ProcessRef start(Supervisor.Builder b) throws InterruptedException {
        ProcessRef sup = Processes.spawn(b.build().toString(), b.build());
        return sup;
    }

    @Test
    void startsInOrderAndStopsInReverseOrder() throws Exception {
        ProcessRef sup = start(Supervisor.builder("s").child(worker("a")).child(worker("b")).child(worker("c")));
        expect("a:start", "b:start", "c:start");
        assertTrue(sup.stop(T));
        expect("c:down", "b:down", "a:down");
        assertEquals(ExitReason.SHUTDOWN, sup.exitReason().orElseThrow());
    }

    @Test
    void oneForOneRestartsOnlyTheCrashedChild() throws Exception {
        ProcessRef sup = start(Supervisor.builder("s").child(worker("a")).child(worker("b")).child(worker("c")));
        expect("a:start", "b:start", "c:start");
        ProcessRef a = ref("a"), b = ref("b"), c = ref("c");
        b.send("crash");
        expect("b:down", "b:start");
        expectNothingElse(sup);
        assertSame(a, ref("a"));
        assertSame(c, ref("c"));
        assertNotSame(b, ref("b"));
        assertFalse(b.isAlive());
        sup.stop(T);
    }

    @Test
    void restForOneRestartsTheCrashedChildAndThoseAfterIt() throws Exception {
        ProcessRef sup = start(Supervisor.builder("s").strategy(Strategy.REST_FOR_ONE)
                .child(worker("a")).child(worker("b")).child(worker("c")).child(worker("d")));
        expect("a:start", "b:start", "c:start", "d:start");
        ProcessRef a = ref("a");
        ref("b").send("crash");
        expect("b:down", "d:down", "c:down", "b:start", "c:start", "d:start");
        expectNothingElse(sup);
        assertSame(a, ref("a"));
        sup.stop(T);
    }

    @Test
    void oneForAllRestartsEveryChild() throws Exception {
        ProcessRef sup = start(Supervisor.builder("s").strategy(Strategy.ONE_FOR_ALL)
                .child(worker("a")).child(worker("b")).child(worker("c")));
        expect("a:start", "b:start", "c:start");
        ref("b").send("crash");
        expect("b:down", "c:down", "a:down", "a:start", "b:start", "c:start");
        expectNothingElse(sup);
        sup.stop(T);
    }

    @Test
    void restartTypesDecideWhatComesBack() throws Exception {
        ProcessRef sup = start(Supervisor.builder("s").intensity(10, Duration.ofMinutes(1))
                .child(worker("perm"))
                .child(worker("trans").withRestart(RestartType.TRANSIENT))
                .child(worker("temp").withRestart(RestartType.TEMPORARY)));
        expect("perm:start", "trans:start", "temp:start");

        ref("perm").send("exit");                 // permanent: back even after a normal exit
        expect("perm:down", "perm:start");
        ref("trans").send("crash");               // transient: back after a crash
        expect("trans:down", "trans:start");
        ProcessRef trans = ref("trans");
        trans.send("exit");                       // ... but not after a normal exit
        expect("trans:down");
        ProcessRef temp = ref("temp");
        temp.send("crash");                       // temporary: never back, and forgotten
        expect("temp:down");
        // A child logs ":down" just before it exits; its supervisor hears of the exit before awaitExit returns.
        assertTrue(trans.awaitExit(T).isPresent());
        assertTrue(temp.awaitExit(T).isPresent());
        expectNothingElse(sup);

        List<String> ids = Supervisor.children(sup, T).stream().map(Supervisor.ChildInfo::id).toList();
        assertEquals(List.of("perm", "trans"), ids);
        assertNull(Supervisor.children(sup, T).get(1).ref(), "a transient child that ended is kept, not running");
        sup.stop(T);
    }

    @Test
    void oneForAllDoesNotRestartTemporarySiblings() throws Exception {
        ProcessRef sup = start(Supervisor.builder("s").strategy(Strategy.ONE_FOR_ALL)
                .child(worker("a")).child(worker("temp").withRestart(RestartType.TEMPORARY)).child(worker("c")));
        expect("a:start", "temp:start", "c:start");
        ref("a").send("crash");
        expect("a:down", "c:down", "temp:down", "a:start", "c:start");
        expectNothingElse(sup);
        sup.stop(T);
    }

    @Test
    void restartIntensityEscalatesToTheParent() throws Exception {
        Supervisor.Builder inner = Supervisor.builder("inner").intensity(2, Duration.ofMinutes(1)).child(worker("w"));
        ProcessRef outer = start(Supervisor.builder("outer").intensity(0, Duration.ofMinutes(1))
                .child(worker("sibling")).child(inner.asChild()));
        expect("sibling:start", "w:start");
        ProcessRef innerRef = registry.whereis("w").map(r -> r).orElseThrow();
        assertNotNull(innerRef);

        ref("w").send("crash");
        expect("w:down", "w:start");
        ref("w").send("crash");
        expect("w:down", "w:start");
        ref("w").send("crash");                   // third restart within the window: inner gives up
        expect("w:down");
        // inner crashed; outer allows 0 restarts, so it gives up too and stops its other child.
        expect("sibling:down");
        var reason = outer.awaitExit(T).orElseThrow();
        var crash = assertInstanceOf(ExitReason.Crash.class, reason);
        assertInstanceOf(Supervisor.RestartIntensityExceeded.class, crash.cause());
    }

    @Test
    void aParentRestartsAChildSupervisorThatGaveUp() throws Exception {
        Supervisor.Builder inner = Supervisor.builder("inner").intensity(0, Duration.ofMinutes(1)).child(worker("w"));
        ProcessRef outer = start(Supervisor.builder("outer").child(worker("sibling")).child(inner.asChild()));
        expect("sibling:start", "w:start");
        ref("w").send("crash");
        expect("w:down", "w:start");             // inner gave up at once; outer started a fresh inner
        expectNothingElse(outer);
        outer.stop(T);
        expect("w:down", "sibling:down");
    }

    @Test
    void anySignificantChildEndingStopsTheSupervisor() throws Exception {
        ProcessRef sup = start(Supervisor.builder("s").autoShutdown(AutoShutdown.ANY_SIGNIFICANT)
                .child(worker("storage"))
                .child(worker("consumer").withRestart(RestartType.TEMPORARY).asSignificant())
                .child(worker("snapshotter").withRestart(RestartType.TEMPORARY)));
        expect("storage:start", "consumer:start", "snapshotter:start");
        ref("consumer").send("crash");
        expect("consumer:down", "snapshotter:down", "storage:down");
        assertEquals(ExitReason.NORMAL, sup.awaitExit(T).orElseThrow());
    }

    @Test
    void allSignificantWaitsForTheLastSignificantChild() throws Exception {
        ProcessRef sup = start(Supervisor.builder("s").autoShutdown(AutoShutdown.ALL_SIGNIFICANT)
                .child(worker("x").withRestart(RestartType.TRANSIENT).asSignificant())
                .child(worker("y").withRestart(RestartType.TRANSIENT).asSignificant())
                .child(worker("other")));
        expect("x:start", "y:start", "other:start");
        ProcessRef x = ref("x");
        x.send("exit");
        expect("x:down");
        assertTrue(x.awaitExit(T).isPresent()); // the supervisor has heard of it now
        expectNothingElse(sup);
        assertTrue(sup.isAlive());
        ref("y").send("exit");
        expect("y:down", "other:down");
        assertEquals(ExitReason.NORMAL, sup.awaitExit(T).orElseThrow());
    }

    @Test
    void shutdownMovesOnAfterAChildsTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ChildSpec stubborn = ChildSpec.of("stubborn", () -> ctx -> {
            events.add("stubborn:start");
            ctx.started();
            while (true) {
                try {
                    if (release.await(1, TimeUnit.DAYS)) break;
                } catch (InterruptedException e) {
                    events.add("stubborn:ignored-interrupt");
                }
            }
            events.add("stubborn:down");
        }).withShutdownTimeout(Duration.ofMillis(100));
        ProcessRef sup = start(Supervisor.builder("s").child(worker("a")).child(stubborn));
        expect("a:start", "stubborn:start");
        sup.stop();
        expect("stubborn:ignored-interrupt", "a:down");  // a is stopped although stubborn never stopped
        assertTrue(sup.isAlive(), "the supervisor waits for every thread of its scope before it exits");
        release.countDown();
        expect("stubborn:down");
        assertEquals(ExitReason.SHUTDOWN, sup.awaitExit(T).orElseThrow());
    }

    @Test
    void dynamicChildrenComeAndGo() throws Exception {
        ProcessRef sup = Processes.spawn("dyn", Supervisor.dynamic("dyn").build());
        ProcessRef x = Supervisor.startChild(sup, worker("x").withRestart(RestartType.TRANSIENT), T);
        expect("x:start");
        assertSame(x, ref("x"));
        ProcessRef y = Supervisor.startChild(sup, worker("y").withRestart(RestartType.TEMPORARY), T);
        expect("y:start");
        assertThrows(CallException.Failed.class, () -> Supervisor.startChild(sup, worker("x"), T));

        x.send("crash");
        expect("x:down", "x:start");
        y.send("crash");
        expect("y:down");
        y.awaitExit(T);
        assertTrue(Supervisor.terminateChild(sup, "x", T));
        expect("x:down");
        assertFalse(Supervisor.terminateChild(sup, "nope", T));
        assertEquals(List.of(), Supervisor.children(sup, T));
        sup.stop(T);
    }

    @Test
    void callersOfADeadIncarnationFailAndTheNameLeadsToTheNewOne() throws Exception {
        ProcessRef sup = start(Supervisor.builder("s").child(worker("a")));
        expect("a:start");
        ProcessRef old = ref("a");
        assertSame(old, old.call("who", T));
        old.send("crash");
        expect("a:down", "a:start");
        var e = assertThrows(CallException.NoProcess.class, () -> old.call("who", T));
        assertInstanceOf(ExitReason.Crash.class, e.reason());
        ProcessRef current = ref("a");
        assertSame(current, current.call("who", T));
        sup.stop(T);
    }
}
