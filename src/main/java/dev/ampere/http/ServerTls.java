package dev.ampere.http;

import dev.ampere.config.TlsFiles;
import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The listener's TLS from the configured PEM files (README.md, "HTTP/2 and TLS"): the private key and its
 * certificate chain, read once at start, in an SSL context whose handshakes have a deadline. A file that is not a
 * PEM key or certificate fails the start.
 *
 * <p>Stateless.
 */
final class ServerTls {
    private ServerTls() {}

    /** @param handshakeTimeout the longest a TLS handshake may take ({@link HandshakeDeadlines}, on {@code timer}) */
    static Tls from(TlsFiles files, Duration handshakeTimeout, ScheduledExecutorService timer) {
        Keys keys = Keys.builder()
                .pem(pem -> pem
                        .key(Resource.create(files.key()))
                        .certChain(Resource.create(files.certificate())))
                .build();
        var key = keys.privateKey().orElseThrow(() -> new IllegalArgumentException(
                "AMPERE_TLS_KEY_FILE: no private key found in " + files.key()));
        var chain = keys.certChain();
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("AMPERE_TLS_CERTIFICATE_FILE: no certificate found in "
                    + files.certificate());
        }
        Tls plain = Tls.builder()
                .privateKey(key)
                .privateKeyCertChain(chain)
                .build();
        return Tls.builder()
                .sslContext(new HandshakeDeadlines(plain.sslContext(), handshakeTimeout, timer))
                .build();
    }
}
