package dev.ampere.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One raw TCP connection to a server, for requests no ordinary HTTP client would send and for reading exactly how a
 * response is framed. Not thread-safe.
 */
final class RawHttp implements AutoCloseable {
    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(int port) throws IOException {
        this(port, 0);
    }

    /** With a receive buffer of {@code receiveBuffer} bytes (0: the system's). */
    RawHttp(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(new java.net.InetSocketAddress("localhost", port));
        socket.setSoTimeout(30_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawHttp send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** A response's framing and body. {@code framing} is {@code length}, {@code chunked} or {@code close}. */
    record Response(String statusLine, int status, Map<String, List<String>> headers, String body, String framing) {
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.getFirst();
        }
    }

    /** Reads one response: its head, then its body as its framing says (to the connection's end when close). */
    Response read() throws IOException {
        String statusLine = line();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String h = line(); !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            headers.computeIfAbsent(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(h.substring(colon + 1).trim());
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String framing;
        List<String> te = headers.get("transfer-encoding");
        List<String> cl = headers.get("content-length");
        if (te != null && te.getFirst().contains("chunked")) {
            framing = "chunked";
            while (true) {
                int size = Integer.parseInt(line().trim(), 16);
                if (size == 0) {
                    line();
                    break;
                }
                body.write(in.readNBytes(size));
                line();
            }
        } else if (cl != null) {
            framing = "length";
            body.write(in.readNBytes(Integer.parseInt(cl.getFirst())));
        } else if (status == 304 || status == 204) {
            framing = "length";
        } else {
            framing = "close";
            body.write(in.readAllBytes());
        }
        return new Response(statusLine, status, headers, body.toString(StandardCharsets.UTF_8), framing);
    }

    /** Reads a response's head only, leaving its body to {@link #readUntil}. */
    Response readHead() throws IOException {
        String statusLine = line();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String h = line(); !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            headers.computeIfAbsent(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(h.substring(colon + 1).trim());
        }
        return new Response(statusLine, Integer.parseInt(statusLine.split(" ")[1]), headers, "", "");
    }

    /** Reads raw bytes until they contain {@code text}; returns all read. */
    String readUntil(String text) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (!got.toString(StandardCharsets.UTF_8).contains(text)) {
            int b = in.read();
            if (b < 0) throw new IOException("the stream ended before \"" + text + "\": " + got);
            got.write(b);
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    /** Everything until the connection ends, by its end or a reset. */
    byte[] readToEnd() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) all.write(buf, 0, n);
        } catch (SocketException e) {
            // reset
        }
        return all.toByteArray();
    }

    /** True when the server closed the connection (end of stream or reset) within the socket timeout. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) throw new IOException("the connection ended within a response head: " + b);
            b.write(c);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
