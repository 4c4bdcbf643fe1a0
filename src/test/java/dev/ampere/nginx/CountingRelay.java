package dev.ampere.nginx;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A TCP relay between nginx and Ampere that records every HTTP exchange passing through it: the request line and
 * headers, the response status, and whether the response body ended as its framing says (content-length, last
 * chunk, or a status without a body) or was cut off by the upstream closing the connection. The bytes are forwarded
 * unchanged and as soon as they are read, so what nginx sees is what Ampere sent; the relay only watches. This is
 * how the nginx tests count the requests that really reached Ampere.
 *
 * <p>Hand-written because no library relays raw bytes while parsing HTTP/1.x framing on the side; it parses only
 * what Ampere and nginx send each other (no request bodies but a content-length one, no 1xx responses).
 *
 * <p>Threading: one accept thread, and two virtual threads per relayed connection (one per direction). The
 * records are in concurrent lists that tests read at any time.
 */
final class CountingRelay implements AutoCloseable {
    /** A request as it reached Ampere, on the relay's {@code connection}-th connection. */
    record Request(int connection, String method, String target, String version, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A request and how Ampere answered it; {@code complete} is false when the body was cut off. */
    record Exchange(Request request, int status, Map<String, String> headers, boolean complete) {}

    private final ServerSocket server;
    private final int upstreamPort;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
    private final Object recorded = new Object();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private final AtomicInteger connections = new AtomicInteger();

    CountingRelay(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofVirtual().name("relay-accept").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections nginx opened to Ampere so far. */
    int connections() {
        return connections.get();
    }

    /** Requests that reached Ampere whose target (path and query) matches. */
    List<Request> requests(Predicate<String> target) {
        return requests.stream().filter(r -> target.test(r.target())).toList();
    }

    /** Finished exchanges (answered in full or cut off) whose target matches. */
    List<Exchange> exchanges(Predicate<String> target) {
        return exchanges.stream().filter(e -> target.test(e.request().target())).toList();
    }

    /**
     * The finished exchanges whose target matches, once there are at least {@code n} of them (or after 10 s, with
     * what there is). An exchange is recorded when the relay has read its last byte, which it forwarded first: nginx,
     * and so the test's client, may have the whole response a moment before the relay has recorded it.
     */
    List<Exchange> awaitExchanges(Predicate<String> target, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (recorded) {
            while (true) {
                List<Exchange> found = exchanges(target);
                long left = deadline - System.nanoTime();
                if (found.size() >= n || left <= 0) return found;
                TimeUnit.NANOSECONDS.timedWait(recorded, left);
            }
        }
    }

    private void record(Exchange e) {
        synchronized (recorded) {
            exchanges.add(e);
            recorded.notifyAll();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket downstream;
            try {
                downstream = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                upstream.setTcpNoDelay(true);
                downstream.setTcpNoDelay(true);
                int connection = connections.incrementAndGet();
                sockets.add(downstream);
                sockets.add(upstream);
                BlockingQueue<Request> pending = new LinkedBlockingQueue<>();
                Thread.ofVirtual().name("relay-requests").start(() -> relayRequests(connection, downstream, upstream, pending));
                Thread.ofVirtual().name("relay-responses").start(() -> relayResponses(upstream, downstream, pending));
            } catch (IOException e) {
                closeQuietly(downstream);
            }
        }
    }

    private void relayRequests(int connection, Socket from, Socket to, BlockingQueue<Request> pending) {
        try (InputStream in = new BufferedInputStream(new Forwarding(from.getInputStream(), to.getOutputStream()))) {
            while (true) {
                List<String> head = readHead(in);
                if (head == null) break;
                String[] line = head.getFirst().split(" ", 3);
                Map<String, String> headers = headers(head);
                Request r = new Request(connection, line[0], line[1], line.length > 2 ? line[2] : "", headers);
                requests.add(r);
                pending.add(r);
                long length = Long.parseLong(headers.getOrDefault("content-length", "0"));
                skip(in, length);
            }
        } catch (IOException e) {
            // one side closed; the connection is over
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void relayResponses(Socket from, Socket to, BlockingQueue<Request> pending) {
        try (InputStream in = new BufferedInputStream(new Forwarding(from.getInputStream(), to.getOutputStream()))) {
            while (true) {
                List<String> head = readHead(in);
                if (head == null) break;
                Request request = pending.poll(60, TimeUnit.SECONDS);
                if (request == null) throw new IOException("a response without a request");
                int status = Integer.parseInt(head.getFirst().split(" ", 3)[1]);
                Map<String, String> headers = headers(head);
                boolean complete = readBody(in, request, status, headers);
                record(new Exchange(request, status, headers, complete));
                if (!complete) break;
                if ("close".equalsIgnoreCase(headers.get("connection"))) break;
            }
        } catch (IOException | InterruptedException e) {
            // one side closed; the connection is over
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Reads the body as its framing says; false when the stream ended first. Bodies up to EOF count as complete. */
    private static boolean readBody(InputStream in, Request request, int status, Map<String, String> headers) throws IOException {
        if (request.method().equals("HEAD") || status == 204 || status == 304) return true;
        try {
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                while (true) {
                    String sizeLine = readLine(in);
                    if (sizeLine == null) return false;
                    int semicolon = sizeLine.indexOf(';');
                    long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                    if (size == 0) {
                        String trailer;
                        do {
                            trailer = readLine(in);
                            if (trailer == null) return false;
                        } while (!trailer.isEmpty());
                        return true;
                    }
                    skip(in, size);
                    String end = readLine(in);
                    if (end == null || !end.isEmpty()) return false;
                }
            }
            String length = headers.get("content-length");
            if (length != null) {
                skip(in, Long.parseLong(length));
                return true;
            }
            while (in.read() >= 0) {
                // a body delimited by the end of the connection
            }
            return true;
        } catch (IOException e) {
            return false; // ended early or reset
        }
    }

    private static Map<String, String> headers(List<String> head) {
        Map<String, String> headers = new TreeMap<>();
        for (String line : head.subList(1, head.size())) {
            int colon = line.indexOf(':');
            if (colon > 0) headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return headers;
    }

    /** The lines of a message head, or null when the stream ends before one starts. */
    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine(in);
            if (line == null) {
                if (lines.isEmpty()) return null;
                throw new EOFException("the connection ended inside a message head");
            }
            if (line.isEmpty()) {
                if (lines.isEmpty()) continue;
                return lines;
            }
            lines.add(line);
        }
    }

    /** A CRLF-terminated line without its terminator, or null at the end of the stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        if (line.size() > 0) throw new EOFException("the connection ended inside a line");
        return null;
    }

    private static void skip(InputStream in, long n) throws IOException {
        while (n > 0) {
            long skipped = in.skip(n);
            if (skipped <= 0) {
                if (in.read() < 0) throw new EOFException("the connection ended inside a body");
                skipped = 1;
            }
            n -= skipped;
        }
    }

    /** Writes every byte it reads from the socket to the other side at once, before the parser looks at it. */
    private static final class Forwarding extends FilterInputStream {
        private final OutputStream to;

        Forwarding(InputStream from, OutputStream to) {
            super(from);
            this.to = to;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                to.write(b, off, n);
                to.flush();
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(n, 65536)];
            int read = read(buf, 0, buf.length);
            return Math.max(read, 0);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) closeQuietly(s);
        acceptor.interrupt();
    }
}
