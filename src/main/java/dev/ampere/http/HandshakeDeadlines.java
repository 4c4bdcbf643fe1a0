package dev.ampere.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server's SSL context with a deadline on each TLS handshake (README.md, "HTTP/2 and TLS"). Helidon performs
 * the handshake of an accepted connection before any connection selector sees it, with no timeout of its own, so a
 * client that opens a connection and sends nothing would hold it for good. Here each server socket Helidon layers
 * over an accepted connection has its handshake done within the header timeout, or the connection is closed
 * (Helidon then drops it quietly); what follows the handshake is timed by {@link GuardedConnection} as on cleartext.
 *
 * <p>Thread-safe: sockets are made on connection threads, deadlines expire on the timer thread.
 */
final class HandshakeDeadlines extends SSLContext {
    private static final Logger log = LoggerFactory.getLogger(HandshakeDeadlines.class);

    HandshakeDeadlines(SSLContext delegate, Duration timeout, ScheduledExecutorService timer) {
        super(new Spi(delegate, new Factory(delegate.getSocketFactory(), timeout.toNanos(), timer)),
                delegate.getProvider(), delegate.getProtocol());
    }

    private static final class Spi extends SSLContextSpi {
        private final SSLContext delegate;
        private final SSLSocketFactory factory;

        Spi(SSLContext delegate, SSLSocketFactory factory) {
            this.delegate = delegate;
            this.factory = factory;
        }

        @Override
        protected void engineInit(javax.net.ssl.KeyManager[] km, javax.net.ssl.TrustManager[] tm, SecureRandom sr)
                throws KeyManagementException {
            throw new KeyManagementException("already initialised");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return factory;
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return delegate.getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return delegate.createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return delegate.createSSLEngine(host, port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return delegate.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return delegate.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return delegate.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return delegate.getSupportedSSLParameters();
        }
    }

    /** Layers server sockets over accepted connections (Helidon's blocking-socket path), each with its deadline. */
    private static final class Factory extends SSLSocketFactory {
        private final SSLSocketFactory delegate;
        private final long timeoutNanos;
        private final ScheduledExecutorService timer;

        Factory(SSLSocketFactory delegate, long timeoutNanos, ScheduledExecutorService timer) {
            this.delegate = delegate;
            this.timeoutNanos = timeoutNanos;
            this.timer = timer;
        }

        @Override
        public Socket createSocket(Socket accepted, InputStream consumed, boolean autoClose) throws IOException {
            SSLSocket ssl = (SSLSocket) delegate.createSocket(accepted, consumed, autoClose);
            AtomicBoolean done = new AtomicBoolean();
            ScheduledFuture<?> deadline = timer.schedule(() -> {
                if (done.get()) return;
                log.debug("closing the connection from {}: no TLS handshake within the time allowed",
                        accepted.getRemoteSocketAddress());
                try {
                    accepted.close();
                } catch (IOException e) {
                    log.debug("closing a connection whose handshake timed out failed: {}", e.toString());
                }
            }, timeoutNanos, TimeUnit.NANOSECONDS);
            ssl.addHandshakeCompletedListener(event -> {
                done.set(true);
                deadline.cancel(false);
            });
            return ssl;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return delegate.createSocket(s, host, port, autoClose);
        }

        @Override
        public Socket createSocket() throws IOException {
            return delegate.createSocket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return delegate.createSocket(host, port);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return delegate.createSocket(host, port, localHost, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return delegate.createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return delegate.createSocket(address, port, localAddress, localPort);
        }
    }
}
