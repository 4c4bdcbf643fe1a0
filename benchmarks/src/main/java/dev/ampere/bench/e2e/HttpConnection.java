package dev.ampere.bench.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small blocking HTTP/1.1 client over one kept-alive TCP connection to 127.0.0.1: it sends GET requests, reads
 * status line, headers and a Content-Length or chunked body, and keeps the socket open for the next request unless
 * the server says {@code Connection: close}. A connection the server closed while idle is reopened once, on first use.
 *
 * <p>The process-wide counters {@link #CONNECTS} and {@link #REQUESTS} show whether connections were really reused.
 * One thread uses a connection; {@link #close()} may come from another thread and makes a blocked read fail.
 */
final class HttpConnection implements AutoCloseable {
    static final AtomicLong CONNECTS = new AtomicLong();
    static final AtomicLong REQUESTS = new AtomicLong();

    private final int port;
    private final int readTimeoutMillis;
    private volatile Socket socket;
    private InputStream in;
    private OutputStream out;
    private volatile boolean closed;
    private volatile int connects;
    private volatile int requests;

    HttpConnection(int port, int readTimeoutMillis) {
        this.port = port;
        this.readTimeoutMillis = readTimeoutMillis;
    }

    private String extraHeaders = "";

    /** Sends {@code Accept-Encoding: gzip} with every request from now on (the body is then read as it comes). */
    HttpConnection acceptGzip() {
        extraHeaders = "Accept-Encoding: gzip\r\n";
        return this;
    }

    /** Sends {@code GET target} (a path with its query string) and reads the whole response. */
    HttpResponse get(String target) throws IOException {
        boolean reused = socket != null;
        try {
            return exchange(target);
        } catch (IOException e) {
            disconnect();
            if (closed || !reused || !(e instanceof NoResponseException)) throw e;
            return exchange(target);
        }
    }

    /** TCP connections this client opened so far (1 while keep-alive holds). */
    int connects() {
        return connects;
    }

    int requests() {
        return requests;
    }

    private HttpResponse exchange(String target) throws IOException {
        if (closed) throw new IOException("connection closed");
        if (socket == null) connect();
        String statusLine;
        try {
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: keep-alive\r\n"
                    + "Accept: application/json\r\n" + extraHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            REQUESTS.incrementAndGet();
            requests++;
            statusLine = readLine(true);
        } catch (InterruptedIOException | NoResponseException e) {
            throw e;
        } catch (IOException e) {
            // reset or broken pipe before any byte of the response: the same case as a clean close
            throw new NoResponseException(e);
        }
        if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.")) {
            throw new IOException("bad status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = new HashMap<>();
        for (String line = readLine(false); !line.isEmpty(); line = readLine(false)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        byte[] body = readBody(status, headers);
        long done = System.nanoTime();
        if ("close".equalsIgnoreCase(headers.get("connection"))) disconnect();
        return new HttpResponse(status, headers, body, done);
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(readTimeoutMillis);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
        out = s.getOutputStream();
        socket = s;
        CONNECTS.incrementAndGet();
        connects++;
        if (closed) disconnect();
    }

    private byte[] readBody(int status, Map<String, String> headers) throws IOException {
        if (status == 204 || status == 304 || (status >= 100 && status < 200)) return new byte[0];
        String te = headers.get("transfer-encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) return readChunked();
        String length = headers.get("content-length");
        if (length != null) return readExactly(Integer.parseInt(length));
        byte[] rest = in.readAllBytes();
        disconnect();
        return rest;
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(4096);
        while (true) {
            String sizeLine = readLine(false);
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
            if (size == 0) {
                while (!readLine(false).isEmpty()) {
                    // trailers: none expected, skipped
                }
                return body.toByteArray();
            }
            body.write(readExactly(size));
            readLine(false);
        }
    }

    private byte[] readExactly(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) throw new EOFException("body ended after " + b.length + " of " + n + " bytes");
        return b;
    }

    /** One CRLF-terminated line without its terminator; {@code first} marks the status line (nothing read yet). */
    private String readLine(boolean first) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (first && sb.isEmpty()) throw new NoResponseException();
                throw new EOFException("connection ended inside a response");
            }
            if (c == '\n') break;
            if (c != '\r') sb.append((char) c);
        }
        return sb.toString();
    }

    private void disconnect() {
        Socket s = socket;
        socket = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        disconnect();
    }

    /** The server closed the connection before sending a byte of the response (an idle keep-alive timeout). */
    private static final class NoResponseException extends EOFException {
        NoResponseException() {
            super("connection closed before the response");
        }

        NoResponseException(IOException cause) {
            super("connection failed before the response: " + cause);
            initCause(cause);
        }
    }
}
