package dev.ampere.process;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.*;

class ProcessRefTest {
    private static final Duration T = Duration.ofSeconds(10);

    /** Replies to calls with "echo:<request>", fails calls for "fail", crashes on "crash", returns on "exit". */
    private static ProcessBody echo() {
        return ctx -> {
            while (true) {
                Object m = ctx.receive();
                switch (m) {
                    case Call c when c.request().equals("fail") -> c.fail(new IllegalArgumentException("no"));
                    case Call c when c.request().equals("crash") -> throw new IllegalStateException("boom");
                    case Call c when c.request().equals("ignore") -> { }
                    case Call c -> c.reply("echo:" + c.request());
                    case String s when s.equals("exit") -> { return; }
                    default -> { }
                }
            }
        };
    }

    @Test
    void callGetsTheReply() throws Exception {
        ProcessRef p = Processes.spawn("echo", echo());
        assertEquals("echo:hi", p.<String>call("hi", T));
        p.stop(T);
    }

    @Test
    void messagesArriveInOrder() throws Exception {
        ProcessRef collector = Processes.spawn("collector", ctx -> {
            StringBuilder seen = new StringBuilder();
            while (true) {
                Object m = ctx.receive();
                if (m instanceof Call c) {
                    c.reply(seen.toString());
                    return;
                }
                seen.append(m);
            }
        });
        for (int i = 0; i < 100; i++) collector.send(i % 10);
        assertEquals("0123456789".repeat(10), collector.<String>call("done", T));
    }

    @Test
    void callToADeadProcessFailsWithItsExitReason() throws Exception {
        ProcessRef p = Processes.spawn("short", echo());
        p.send("exit");
        assertEquals(ExitReason.NORMAL, p.awaitExit(T).orElseThrow());
        var e = assertThrows(CallException.NoProcess.class, () -> p.call("hi", T));
        assertEquals(ExitReason.NORMAL, e.reason());
        assertFalse(p.send("anything"));
    }

    @Test
    void callerSeesACrashWhileItsCallIsBeingHandled() {
        ProcessRef p = Processes.spawn("crashy", echo());
        var e = assertThrows(CallException.NoProcess.class, () -> p.call("crash", T));
        assertInstanceOf(ExitReason.Crash.class, e.reason());
        assertEquals("boom", ((ExitReason.Crash) e.reason()).cause().getMessage());
    }

    @Test
    void callerSeesAnExitWhileItsCallIsStillQueued() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ProcessRef p = Processes.spawn("busy", ctx -> {
            ctx.receive();
            entered.countDown();
            release.await();
            throw new IllegalStateException("gone");
        });
        p.send("first");
        entered.await();
        var outcome = new java.util.concurrent.CompletableFuture<Throwable>();
        Thread.ofVirtual().start(() -> {
            try {
                p.call("queued", T);
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        while (p.mailbox().size() == 0) Thread.onSpinWait(); // the call is queued behind "first"
        release.countDown();
        var e = assertInstanceOf(CallException.NoProcess.class, outcome.get());
        assertInstanceOf(ExitReason.Crash.class, e.reason());
    }

    @Test
    void callTimesOutWhenNoAnswerComes() throws Exception {
        ProcessRef p = Processes.spawn("mute", echo());
        assertThrows(CallException.Timeout.class, () -> p.call("ignore", Duration.ofMillis(50)));
        assertTrue(p.isAlive());
        p.stop(T);
    }

    @Test
    void callFailsWithTheProcessError() throws Exception {
        ProcessRef p = Processes.spawn("failing", echo());
        var e = assertThrows(CallException.Failed.class, () -> p.call("fail", T));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        p.stop(T);
    }

    @Test
    void monitorDeliversDownWithReason() throws Exception {
        // Answers each call with the oldest message it has received that was not a call.
        ProcessRef watcher = Processes.spawn("watcher", ctx -> {
            java.util.ArrayDeque<Object> inbox = new java.util.ArrayDeque<>();
            java.util.ArrayDeque<Call> waiting = new java.util.ArrayDeque<>();
            while (true) {
                Object m = ctx.receive();
                if (m instanceof Call c) waiting.add(c);
                else inbox.add(m);
                while (!waiting.isEmpty() && !inbox.isEmpty()) waiting.poll().reply(inbox.poll());
            }
        });
        ProcessRef target = Processes.spawn("target", echo());
        target.monitor(watcher);
        Thread.ofVirtual().start(() -> assertThrows(CallException.NoProcess.class, () -> target.call("crash", T)));
        Down down = watcher.call("next", T);
        assertSame(target, down.process());
        assertInstanceOf(ExitReason.Crash.class, down.reason());

        target.monitor(watcher); // already dead: Down at once
        Down again = watcher.call("next", T);
        assertSame(target, again.process());
        watcher.stop(T);
    }

    @Test
    void stopEndsTheProcessAsShutdown() throws Exception {
        ProcessRef p = Processes.spawn("stoppable", echo());
        assertTrue(p.stop(T));
        assertEquals(ExitReason.SHUTDOWN, p.exitReason().orElseThrow());
    }

    @Test
    void boundedMailboxPushesBack() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ProcessRef p = Processes.spawn("slow", Mailbox.bounded(2), ctx -> {
            release.await();
            while (true) ctx.receive();
        });
        assertTrue(p.trySend(1, Duration.ZERO));
        assertTrue(p.trySend(2, Duration.ZERO));
        assertFalse(p.trySend(3, Duration.ofMillis(20)));
        release.countDown();
        assertTrue(p.trySend(3, T));
        p.stop(T);
    }
}
