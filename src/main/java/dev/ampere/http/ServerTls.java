package dev.ampere.http;

import dev.ampere.config.TlsFiles;
import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;

/**
 * The listener's TLS from the configured PEM files (README.md, "HTTP/2 and TLS"): the private key and its
 * certificate chain, read once at start. A file that is not a PEM key or certificate fails the start.
 *
 * <p>Stateless.
 */
final class ServerTls {
    private ServerTls() {}

    static Tls from(TlsFiles files) {
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
        return Tls.builder()
                .privateKey(key)
                .privateKeyCertChain(chain)
                .build();
    }
}
