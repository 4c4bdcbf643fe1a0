package dev.ampere.process;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Hibernation shown by behaviour: a {@link HibernatingBody} under a supervisor ends its runs when idle, keeps its
 * ref, mailbox, name, monitors and state, and is resumed by the next message; stopping it needs no thread. The
 * races (a send against the run's exit, a stop against a wake-up) are run many times with nothing but the natural
 * interleaving of threads; a lost wake-up shows as a reply that never comes, a second run as an overlap the body
 * records.
 */
class HibernationTest {
    private static final Duration T = Duration.ofSeconds(10);

    private final ProcessRegistry registry = new ProcessRegistry();
    private final List<ProcessRef> supervisors = new ArrayList<>();

    @AfterEach
    void stopSupervisors() {
        for (ProcessRef s : supervisors) s.stopUninterruptibly(T);
    }

    /**
     * Counts its messages in a field (state that must survive hibernation), answers calls with that count, crashes
     * on "crash", exits on "exit", and records every run and any overlap of two runs.
     */
    static final class Counter implements HibernatingBody {
        final Duration idle;
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger inRun = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final AtomicInteger stoppedWhileHibernated = new AtomicInteger();
        final BlockingQueue<Integer> acks = new LinkedBlockingQueue<>();
        int count;

        Counter(Duration idle) {
            this.idle = idle;
        }

        @Override
        public void resume(ProcessContext ctx) throws Exception {
            runs.incrementAndGet();
            if (inRun.incrementAndGet() != 1) overlaps.incrementAndGet();
            try {
                while (true) {
                    Object m = ctx.receiveOrHibernate(idle);
                    switch (m) {
                        case Call c -> c.reply(count);
                        case String s when s.equals("crash") -> throw new IllegalStateException("crashed on purpose");
                        case String s when s.equals("exit") -> { return; }
                        case String s when s.equals("hibernate") -> ctx.hibernate();
                        default -> {
                            count++;
                            acks.add(count);
                        }
                    }
                }
            } finally {
                inRun.decrementAndGet();
            }
        }

        @Override
        public void stoppedWhileHibernated() {
            stoppedWhileHibernated.incrementAndGet();
        }
    }

    private ProcessRef supervisor(ChildSpec... children) throws InterruptedException {
        Supervisor.Builder b = Supervisor.dynamic("sup").intensity(100, Duration.ofSeconds(5));
        for (ChildSpec c : children) b.child(c);
        ProcessRef sup = Processes.spawn("sup", b.build());
        supervisors.add(sup);
        Supervisor.children(sup, T); // started
        return sup;
    }

    private ProcessRef start(ProcessRef sup, String id, Counter body, RestartType restart) throws InterruptedException {
        return Supervisor.startChild(sup, ChildSpec.of(id, () -> body).withRestart(restart)
                .registeredAs(registry, id), T);
    }

    /** Waits for the process to be hibernated: an event that follows the run's end by a few instructions. */
    private static void awaitHibernating(ProcessRef p) {
        long deadline = System.nanoTime() + T.toNanos();
        while (!p.isHibernating()) {
            assertTrue(System.nanoTime() < deadline, () -> p + " did not hibernate; exit: " + p.exitReason());
            Thread.onSpinWait();
        }
    }

    @Test
    void anIdleProcessHibernatesAndTheNextMessageResumesItWithItsState() throws Exception {
        ProcessRef sup = supervisor();
        Counter body = new Counter(Duration.ofMillis(1));
        ProcessRef p = start(sup, "counter", body, RestartType.TEMPORARY);
        p.send("a");
        assertEquals(1, body.acks.poll(10, TimeUnit.SECONDS));
        awaitHibernating(p);
        assertTrue(p.isAlive());
        assertEquals(p, registry.whereis("counter").orElseThrow(), "a hibernated process keeps its name");
        int runsBefore = body.runs.get();

        p.send("b");
        assertEquals(2, body.acks.poll(10, TimeUnit.SECONDS), "the field survived the hibernation");
        assertTrue(body.runs.get() > runsBefore, "the message was handled in a new run");
        awaitHibernating(p);
        assertEquals(2, p.<Integer>call("count?", T), "a call wakes it too");
        assertEquals(List.of(new Supervisor.ChildInfo("counter", p)), Supervisor.children(sup, T),
                "the supervisor still counts it as its running child");
        assertEquals(0, body.overlaps.get());
    }

    /**
     * Also: a sender that sees HIBERNATED after the run that took its message has ended asks for a wake-up that finds
     * the mailbox empty; that must not start a run that holds a thread for its whole idle time.
     */
    @Test
    void hibernateEndsTheRunAtOnceAndAnEmptyWakeUpStartsNoRun() throws Exception {
        ProcessRef sup = supervisor();
        Counter body = new Counter(Duration.ofDays(1));
        ProcessRef p = start(sup, "counter", body, RestartType.TEMPORARY);
        for (int i = 1; i <= 300; i++) {
            p.send("hibernate");
            awaitHibernating(p);
            p.send("x");
            assertEquals(i, body.acks.poll(10, TimeUnit.SECONDS));
        }
        assertEquals(0, body.overlaps.get());
    }

    @Test
    void aSendRacingTheRunsExitIsNeverLost() throws Exception {
        ProcessRef sup = supervisor();
        // Idle zero: the run hibernates whenever it finds its mailbox empty, so nearly every message races the
        // previous run's exit.
        Counter body = new Counter(Duration.ZERO);
        ProcessRef p = start(sup, "counter", body, RestartType.TEMPORARY);
        for (int i = 1; i <= 20_000; i++) {
            p.send(i);
            assertEquals(i, body.acks.poll(10, TimeUnit.SECONDS), "message " + i + " was not handled");
        }
        assertEquals(0, body.overlaps.get(), "two runs at once");
        assertTrue(body.runs.get() > 1_000, "the process hardly hibernated: " + body.runs.get() + " runs");
    }

    /**
     * Rounds of senders released together by a barrier: each round's messages race each other and the end of the
     * run that handles the first of them. Every round must be handled in full before the next starts, so a single
     * lost wake-up leaves a message unhandled and the round times out.
     */
    @Test
    void concurrentSendersToAHibernatingProcessAreEachHandledOnceByOneRunAtATime() throws Exception {
        ProcessRef sup = supervisor();
        Counter body = new Counter(Duration.ZERO);
        ProcessRef p = start(sup, "counter", body, RestartType.TEMPORARY);
        int senders = 3;
        int rounds = 4_000;
        CyclicBarrier barrier = new CyclicBarrier(senders + 1);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int r = 0; r < rounds; r++) {
                        barrier.await(10, TimeUnit.SECONDS);
                        p.send(r);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        int expected = 0;
        for (int r = 0; r < rounds; r++) {
            barrier.await(10, TimeUnit.SECONDS);
            for (int k = 0; k < senders; k++) {
                expected++;
                assertEquals(expected, body.acks.poll(10, TimeUnit.SECONDS), "round " + r + ": a message was not handled");
            }
        }
        for (Thread t : threads) t.join();
        assertEquals(senders * rounds, p.<Integer>call("count?", T));
        assertEquals(0, body.overlaps.get(), "two runs at once");
    }

    @Test
    void stoppingAHibernatedProcessExitsItWithoutARun() throws Exception {
        ProcessRef sup = supervisor();
        Counter body = new Counter(Duration.ZERO);
        ProcessRef p = start(sup, "counter", body, RestartType.TEMPORARY);
        BlockingQueue<Object> downs = new LinkedBlockingQueue<>();
        ProcessRef monitor = Processes.spawn("monitor", ctx -> {
            while (true) downs.add(ctx.receive());
        });
        p.monitor(monitor);
        awaitHibernating(p);
        int runs = body.runs.get();

        assertTrue(p.stop(T));
        assertEquals(ExitReason.SHUTDOWN, p.exitReason().orElseThrow());
        assertEquals(runs, body.runs.get(), "no run was started to stop it");
        assertEquals(1, body.stoppedWhileHibernated.get());
        assertEquals(new Down(p, ExitReason.SHUTDOWN), downs.poll(10, TimeUnit.SECONDS));
        assertTrue(registry.whereis("counter").isEmpty(), "its name is released");
        assertEquals(List.of(), Supervisor.children(sup, T), "a temporary child is gone from its supervisor");
        assertFalse(p.send("late"));
        monitor.stop(T);
    }

    @Test
    void hibernationIsNotAnExitButAnExitAfterWakingIsSeenByMonitors() throws Exception {
        ProcessRef sup = supervisor();
        Counter body = new Counter(Duration.ZERO);
        ProcessRef p = start(sup, "counter", body, RestartType.TEMPORARY);
        BlockingQueue<Object> downs = new LinkedBlockingQueue<>();
        ProcessRef monitor = Processes.spawn("monitor", ctx -> {
            while (true) downs.add(ctx.receive());
        });
        p.monitor(monitor);
        for (int i = 1; i <= 50; i++) {
            awaitHibernating(p);
            p.send(i);
            assertEquals(i, body.acks.poll(10, TimeUnit.SECONDS));
        }
        assertNull(downs.poll(), "hibernating is not exiting");
        p.send("exit");
        assertEquals(new Down(p, ExitReason.NORMAL), downs.poll(10, TimeUnit.SECONDS));
        monitor.stop(T);
    }

    @Test
    void aPermanentChildThatCrashesAfterWakingIsRestarted() throws Exception {
        ProcessRef sup = supervisor();
        ConcurrentLinkedQueue<Counter> made = new ConcurrentLinkedQueue<>();
        ProcessRef first = Supervisor.startChild(sup, ChildSpec.of("counter", () -> {
            Counter c = new Counter(Duration.ZERO);
            made.add(c);
            return c;
        }).registeredAs(registry, "counter"), T);
        awaitHibernating(first);
        first.send("crash");
        assertTrue(first.awaitExit(T).orElseThrow().isAbnormal());
        ProcessRef second = awaitRegistered("counter", first);
        assertNotEquals(first, second);
        awaitHibernating(second);
        second.send("x");
        assertEquals(2, made.size());
        assertEquals(1, List.copyOf(made).get(1).acks.poll(10, TimeUnit.SECONDS), "the new incarnation starts afresh");
    }

    /** The successor of {@code old} once the supervisor has registered it (a restart is an event to wait for). */
    private ProcessRef awaitRegistered(String name, ProcessRef old) {
        long deadline = System.nanoTime() + T.toNanos();
        while (true) {
            var r = registry.whereis(name);
            if (r.isPresent() && r.get() != old) return r.get();
            assertTrue(System.nanoTime() < deadline, name + " was not restarted");
            Thread.onSpinWait();
        }
    }

    @Test
    void aPermanentChildStoppedWhileHibernatedIsRestartedLikeAnyOther() throws Exception {
        ProcessRef sup = supervisor();
        ProcessRef first = Supervisor.startChild(sup, ChildSpec.of("counter", () -> new Counter(Duration.ZERO))
                .registeredAs(registry, "counter"), T);
        awaitHibernating(first);
        first.stop(T);
        ProcessRef second = awaitRegistered("counter", first);
        assertTrue(second.isAlive());
    }

    @Test
    void aStopRacingAWakeUpEndsTheProcessExactlyOnce() throws Exception {
        ProcessRef sup = supervisor();
        BlockingQueue<Object> downs = new LinkedBlockingQueue<>();
        ProcessRef monitor = Processes.spawn("monitor", ctx -> {
            while (true) downs.add(ctx.receive());
        });
        for (int i = 0; i < 2_000; i++) {
            Counter body = new Counter(Duration.ZERO);
            ProcessRef p = start(sup, "c" + i, body, RestartType.TEMPORARY);
            p.monitor(monitor);
            awaitHibernating(p);
            CountDownLatch go = new CountDownLatch(1);
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                p.send("x");
            });
            go.countDown();
            p.stop();
            sender.join();
            assertEquals(ExitReason.SHUTDOWN, p.awaitExit(T).orElseThrow(), "iteration " + i);
            assertEquals(new Down(p, ExitReason.SHUTDOWN), downs.poll(10, TimeUnit.SECONDS));
            assertEquals(0, body.overlaps.get());
            assertTrue(body.stoppedWhileHibernated.get() <= 1);
        }
        assertEquals(List.of(), Supervisor.children(sup, T));
        assertNull(downs.poll(), "one Down per process");
        monitor.stop(T);
    }

    @Test
    void stoppingASupervisorStopsItsHibernatedChildrenWithoutWakingThem() throws Exception {
        ProcessRef sup = supervisor();
        List<ProcessRef> kids = new ArrayList<>();
        List<Counter> bodies = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            Counter c = new Counter(Duration.ZERO);
            bodies.add(c);
            kids.add(start(sup, "c" + i, c, RestartType.PERMANENT));
        }
        for (ProcessRef k : kids) awaitHibernating(k);
        assertTrue(sup.stop(T));
        for (int i = 0; i < kids.size(); i++) {
            assertEquals(ExitReason.SHUTDOWN, kids.get(i).exitReason().orElseThrow());
            assertEquals(1, bodies.get(i).runs.get());
            assertEquals(1, bodies.get(i).stoppedWhileHibernated.get());
        }
    }

    /**
     * A supervisor waiting for a child's start-up still resumes hibernated children: here the start-up calls a
     * process that is blocked sending to a hibernated sibling's full mailbox, which only the supervisor can resume.
     */
    @Test
    void aSupervisorWaitingForAStartUpStillWakesItsHibernatedChildren() throws Exception {
        ProcessRef sup = supervisor();
        Counter sibling = new Counter(Duration.ZERO);
        ProcessRef y = Supervisor.startChild(sup, ChildSpec.of("sibling", () -> sibling)
                .withRestart(RestartType.TEMPORARY).withMailbox(() -> Mailbox.bounded(1)), T);
        awaitHibernating(y);
        ProcessRef flooder = Processes.spawn("flooder", ctx -> {
            Call c = (Call) ctx.receive();
            for (int i = 0; i < 20; i++) y.send(i); // blocks while the sibling's mailbox is full
            c.reply("sent");
        });
        BlockingQueue<Object> startUp = new LinkedBlockingQueue<>();
        ProcessRef x = Supervisor.startChild(sup, ChildSpec.of("starter", () -> ctx -> {
            startUp.add(flooder.<String>call("flood", T));
            ctx.started();
            ctx.receive();
        }).withRestart(RestartType.TEMPORARY), Duration.ofSeconds(30));
        assertEquals("sent", startUp.poll(10, TimeUnit.SECONDS));
        assertTrue(x.isAlive());
        for (int i = 1; i <= 20; i++) assertEquals(i, sibling.acks.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void withoutASupervisorAProcessNeverHibernates() throws Exception {
        Counter body = new Counter(Duration.ZERO);
        ProcessRef p = Processes.spawn("alone", body);
        p.send("a");
        assertEquals(1, body.acks.poll(10, TimeUnit.SECONDS));
        assertEquals(1, p.<Integer>call("count?", T));
        assertFalse(p.isHibernating());
        assertEquals(1, body.runs.get());
        p.send("hibernate");
        assertTrue(p.awaitExit(T).orElseThrow().isAbnormal(), "hibernate() without a supervisor is a crash");
    }
}
