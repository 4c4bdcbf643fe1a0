package dev.ampere.http;

import dev.ampere.changes.LogOffset;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** The requests woken by one change share one body: built once, handed to all, never past its limits. */
class SharedBodiesTest {
    private static final LogOffset FROM = LogOffset.of(100, 0);
    private static final LogOffset END = LogOffset.of(200, 4);

    @Test
    void concurrentRequestsAtOneOffsetShareOneBuild() throws Exception {
        SharedBodies shared = new SharedBodies();
        AtomicInteger builds = new AtomicInteger();
        CountDownLatch building = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        byte[] body = new byte[1024 * 1024]; // larger than a buffered response: shared all the same
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<SharedBodies.Body> first = pool.submit(() -> shared.get("h", FROM, END, () -> {
                builds.incrementAndGet();
                building.countDown();
                release.await();
                return body;
            }));
            building.await();
            List<Future<SharedBodies.Body>> others = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                others.add(pool.submit(() -> shared.get("h", FROM, END, () -> {
                    builds.incrementAndGet();
                    return new byte[0];
                })));
            }
            release.countDown();
            assertSame(body, first.get().identity());
            for (Future<SharedBodies.Body> f : others) assertSame(body, f.get().identity());
        }
        assertEquals(1, builds.get());
    }

    @Test
    void anotherOffsetOrShapeGetsItsOwnBody() throws Exception {
        SharedBodies shared = new SharedBodies();
        byte[] a = shared.get("h", FROM, END, () -> new byte[]{1}).identity();
        byte[] b = shared.get("h", FROM, LogOffset.of(300, 0), () -> new byte[]{2}).identity();
        byte[] c = shared.get("other", FROM, END, () -> new byte[]{3}).identity();
        assertArrayEquals(new byte[]{1}, a);
        assertArrayEquals(new byte[]{2}, b);
        assertArrayEquals(new byte[]{3}, c);
        assertArrayEquals(new byte[]{1}, shared.get("h", FROM, END, () -> fail("built twice")).identity());
    }

    @Test
    void aFailedBuildIsRetriedByTheNextRequest() throws Exception {
        SharedBodies shared = new SharedBodies();
        assertThrows(IllegalStateException.class, () -> shared.get("h", FROM, END, () -> {
            throw new IllegalStateException("storage went away");
        }));
        assertArrayEquals(new byte[]{7}, shared.get("h", FROM, END, () -> new byte[]{7}).identity());
    }

    @Test
    void theBoundedBufferRefusesToGrowPastTheShareLimit() {
        SharedBodies.BoundedBuffer buffer = new SharedBodies.BoundedBuffer();
        buffer.write(new byte[SharedBodies.SHARE_LIMIT - 1], 0, SharedBodies.SHARE_LIMIT - 1);
        buffer.write('x');
        assertThrows(SharedBodies.TooLarge.class, () -> buffer.write('y'));
        assertEquals(SharedBodies.SHARE_LIMIT, buffer.size());
    }

    @Test
    void bodiesPastTheHeldBudgetServeTheirOwnRequestButAreNotKept() throws Exception {
        SharedBodies shared = new SharedBodies();
        int big = SharedBodies.SHARE_LIMIT;
        int kept = (int) (SharedBodies.HELD_BUDGET / big);
        for (int i = 0; i < kept; i++) {
            LogOffset end = LogOffset.of(300 + i, 0);
            shared.get("h", FROM, end, () -> new byte[big]);
        }
        AtomicInteger builds = new AtomicInteger();
        LogOffset over = LogOffset.of(999, 0);
        assertEquals(big, shared.get("h", FROM, over, () -> { builds.incrementAndGet(); return new byte[big]; }).identity().length);
        assertEquals(big, shared.get("h", FROM, over, () -> { builds.incrementAndGet(); return new byte[big]; }).identity().length);
        assertEquals(2, builds.get(), "a body over the budget is not kept for later requests");
        // the ones within the budget are still shared
        assertEquals(big, shared.get("h", FROM, LogOffset.of(300, 0), () -> fail("built twice")).identity().length);
    }

    @Test
    void theGzipFormIsMadeOnceAndSharedByEveryRequest() throws Exception {
        SharedBodies shared = new SharedBodies();
        byte[] json = "[{\"value\":\"x\"}]".repeat(200).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        SharedBodies.Body body = shared.get("h", FROM, END, () -> json);
        List<byte[]> forms = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<byte[]>> all = new ArrayList<>();
            for (int i = 0; i < 50; i++) all.add(pool.submit(() -> shared.get("h", FROM, END, () -> fail("built twice")).gzip()));
            for (Future<byte[]> f : all) forms.add(f.get());
        }
        for (byte[] f : forms) assertSame(forms.getFirst(), f, "one compression for all");
        assertSame(forms.getFirst(), body.gzip());
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body.gzip()))) {
            assertArrayEquals(json, in.readAllBytes());
        }
        assertTrue(body.gzip().length < json.length / 10, "compressed: " + body.gzip().length);
    }
}
