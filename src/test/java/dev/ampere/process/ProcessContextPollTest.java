package dev.ampere.process;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link ProcessContext#poll}: what is queued, in order and at once; null, without waiting, when nothing is; and a
 * bounded mailbox's blocked sender gets its room back from a poll as from a receive.
 */
class ProcessContextPollTest {
    private static final Duration T = Duration.ofSeconds(10);

    @Test
    void pollDrainsWhatIsQueuedInOrderThenAnswersNullAtOnce() throws Exception {
        CountDownLatch queued = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        List<Object> drained = new ArrayList<>();
        long[] emptyPollNanos = {-1};
        Object[] afterDrain = {"unset"};
        ProcessRef p = Processes.spawn("drainer", ctx -> {
            queued.await();
            drained.add(ctx.receive());
            for (Object m; (m = ctx.poll()) != null; ) drained.add(m);
            long before = System.nanoTime();
            afterDrain[0] = ctx.poll();
            emptyPollNanos[0] = System.nanoTime() - before;
            done.countDown();
            ctx.receive();
        });
        for (int i = 0; i < 5; i++) p.send(i);
        queued.countDown();
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(List.of(0, 1, 2, 3, 4), drained);
        assertNull(afterDrain[0], "null when nothing is queued");
        assertTrue(emptyPollNanos[0] < TimeUnit.SECONDS.toNanos(1), "poll does not wait");
        p.stop(T);
    }

    @Test
    void aPollMakesRoomForABlockedSender() throws Exception {
        CountDownLatch full = new CountDownLatch(1);
        CountDownLatch drained = new CountDownLatch(1);
        List<Object> seen = new ArrayList<>();
        ProcessRef p = Processes.spawn("bounded", Mailbox.bounded(2), ctx -> {
            full.await();
            for (int n = 0; n < 3; ) {
                Object m = ctx.poll();
                if (m == null) m = ctx.receive();
                seen.add(m);
                n++;
            }
            drained.countDown();
            ctx.receive();
        });
        p.send("a");
        p.send("b");
        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                p.send("c"); // blocks until the process takes one
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        full.countDown();
        assertTrue(drained.await(10, TimeUnit.SECONDS), "the blocked sender got room");
        sender.join(T);
        assertEquals(List.of("a", "b", "c"), seen);
        p.stop(T);
    }
}
