package dev.ampere.bench.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Asks the operating system for a free TCP port on 127.0.0.1 (bind to port 0, read it, release it). A fixed port in
 * the ephemeral range could collide with the client side of some other connection, so the benchmark never picks one
 * itself.
 */
final class FreePort {
    private FreePort() {}

    static int pick() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }
}
