package dev.ampere.bench.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

/**
 * A set of {@link ShapeFollower}s, one virtual thread each: starts them, waits until every one has a live long-poll
 * outstanding, sums their errors, and stops them all on close.
 */
final class FollowerGroup implements AutoCloseable {
    private final List<ShapeFollower> followers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    FollowerGroup(int count, IntFunction<ShapeFollower> factory) {
        for (int i = 0; i < count; i++) {
            ShapeFollower f = factory.apply(i);
            followers.add(f);
            threads.add(Thread.ofVirtual().name("follower-" + i).start(f));
        }
    }

    /**
     * Waits (bounded) until every follower is parked in a live request, then a little longer so the server has
     * registered the last of them.
     */
    void awaitAllParked(Duration timeout, Duration settle) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int parked = 0;
            for (ShapeFollower f : followers) if (f.parked()) parked++;
            if (parked == followers.size()) break;
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(parked + " of " + followers.size() + " followers parked after "
                        + timeout.toSeconds() + " s; errors " + errors() + ", last: " + lastError());
            }
            Thread.sleep(20);
        }
        Thread.sleep(settle.toMillis());
    }

    int size() {
        return followers.size();
    }

    /** Requests per TCP connection over all followers: far above 1 when connections are kept alive. */
    double requestsPerConnection() {
        int requests = followers.stream().mapToInt(ShapeFollower::requests).sum();
        int connects = followers.stream().mapToInt(ShapeFollower::connects).sum();
        return requests / (double) Math.max(1, connects);
    }

    int errors() {
        return followers.stream().mapToInt(ShapeFollower::errors).sum();
    }

    int refetches() {
        return followers.stream().mapToInt(ShapeFollower::refetches).sum();
    }

    String lastError() {
        return followers.stream().map(ShapeFollower::lastError).filter(e -> e != null).findFirst().orElse("none");
    }

    @Override
    public void close() throws InterruptedException {
        followers.forEach(ShapeFollower::close);
        for (Thread t : threads) t.join(5_000);
    }
}
