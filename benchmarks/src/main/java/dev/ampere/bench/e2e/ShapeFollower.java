package dev.ampere.bench.e2e;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client following one shape the way the Electric clients do, on its own kept-alive connection: {@code offset=-1}
 * first, then non-live requests until a response says up-to-date, then a loop of {@code live=true} long-polls, each
 * with the handle, offset and cursor of the previous response. A 409 starts again from {@code offset=-1} with the new
 * handle. Every response's row ids go to the {@link Sink} with the time its last byte arrived.
 *
 * <p>Runs on its own (virtual) thread; {@link #close()} from another thread ends it, also mid long-poll.
 */
final class ShapeFollower implements Runnable, AutoCloseable {
    /** Receives the row ids of one response. Called on the follower's thread. */
    interface Sink {
        void onRows(int follower, long[] ids, long receivedNanos);
    }

    private static final int MAX_ERRORS = 50;

    private final int index;
    private final String table;
    private final String where;
    private final Sink sink;
    private final HttpConnection connection;
    private volatile boolean stopped;
    private volatile boolean parked;
    private volatile boolean everLive;
    private final AtomicInteger errors = new AtomicInteger();
    private final AtomicInteger refetches = new AtomicInteger();
    private volatile String lastError;

    ShapeFollower(int index, int port, String table, String where, Sink sink, int readTimeoutMillis) {
        this.index = index;
        this.table = table;
        this.where = where;
        this.sink = sink;
        this.connection = new HttpConnection(port, readTimeoutMillis);
    }

    @Override
    public void run() {
        String offset = "-1";
        String handle = null;
        String cursor = null;
        boolean upToDate = false;
        while (!stopped) {
            String target = ShapeUrl.of(table, where, offset, handle, upToDate, cursor);
            HttpResponse r;
            try {
                parked = upToDate;
                if (upToDate) everLive = true;
                r = connection.get(target);
            } catch (IOException e) {
                parked = false;
                if (stopped) return;
                if (failed("I/O: " + e)) return;
                continue;
            }
            parked = false;
            switch (r.status()) {
                case 200, 204 -> {
                    handle = r.header("electric-handle") != null ? r.header("electric-handle") : handle;
                    if (r.header("electric-offset") != null) offset = r.header("electric-offset");
                    if (r.header("electric-cursor") != null) cursor = r.header("electric-cursor");
                    upToDate = r.status() == 204 || r.has("electric-up-to-date");
                    if (r.body().length > 0) {
                        long[] ids = RowIds.scan(r.body());
                        if (ids.length > 0) sink.onRows(index, ids, r.completedNanos());
                    }
                }
                case 409 -> {
                    if (Boolean.getBoolean("e2e.trace409")) {
                        System.out.printf("e2e: follower %d got 409 at %.1f ms%n", index, System.nanoTime() / 1e6);
                    }
                    refetches.incrementAndGet();
                    handle = r.header("electric-handle");
                    offset = "-1";
                    cursor = null;
                    upToDate = false;
                }
                default -> {
                    if (failed("HTTP " + r.status() + ": " + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8))) return;
                }
            }
        }
    }

    /** Counts an error and backs off briefly; true when the follower should give up. */
    private boolean failed(String what) {
        lastError = what;
        if (errors.incrementAndGet() > MAX_ERRORS) return true;
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
        return stopped;
    }

    /** True while a live long-poll of this follower is outstanding. */
    boolean parked() {
        return parked;
    }

    /** True once the follower has sent at least one live request. */
    boolean everLive() {
        return everLive;
    }

    /** Requests sent and TCP connections opened; read after the follower stopped. */
    int requests() {
        return connection.requests();
    }

    int connects() {
        return connection.connects();
    }

    int errors() {
        return errors.get();
    }

    int refetches() {
        return refetches.get();
    }

    String lastError() {
        return lastError;
    }

    @Override
    public void close() {
        stopped = true;
        connection.close();
    }
}
