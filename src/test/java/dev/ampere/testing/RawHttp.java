package dev.ampere.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** One HTTP exchange over a raw socket, for tests that look at exactly what the server sent, cut bodies included. */
public final class RawHttp {
    private RawHttp() {}

    /**
     * Sends {@code request} (the whole request, head and blank line) to the loopback {@code port} and reads until the
     * server closes the connection or resets it (an abort may arrive as a reset: what was read so far is the answer).
     */
    public static byte[] exchange(int port, String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[65536];
            int n;
            try {
                while ((n = in.read(buf)) >= 0) all.write(buf, 0, n);
            } catch (IOException reset) {
                // the answer is what came before the reset
            }
            return all.toByteArray();
        }
    }
}
