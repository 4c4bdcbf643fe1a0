package dev.ampere.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The PEM files of the server's TLS identity (README.md, "HTTP/2 and TLS"). With them the listener speaks TLS only,
 * offering h2 and http/1.1 by ALPN; without them it speaks cleartext HTTP/1.1 and h2c.
 *
 * <p>Immutable.
 *
 * @param certificate {@code AMPERE_TLS_CERTIFICATE_FILE}: the certificate chain, the server's own certificate first
 * @param key         {@code AMPERE_TLS_KEY_FILE}: its private key (PKCS#8 or PKCS#1, unencrypted)
 */
public record TlsFiles(Path certificate, Path key) {
    static final String CERTIFICATE = "AMPERE_TLS_CERTIFICATE_FILE";
    static final String KEY = "AMPERE_TLS_KEY_FILE";

    /** Both variables or neither; each a readable file. */
    static Optional<TlsFiles> read(EnvReader r) {
        Optional<String> certificate = r.string(CERTIFICATE);
        Optional<String> key = r.string(KEY);
        if (certificate.isEmpty() && key.isEmpty()) return Optional.empty();
        if (certificate.isEmpty()) {
            throw new ConfigException(CERTIFICATE, "must be set together with " + KEY + " (TLS needs both PEM files)");
        }
        if (key.isEmpty()) {
            throw new ConfigException(KEY, "must be set together with " + CERTIFICATE + " (TLS needs both PEM files)");
        }
        return Optional.of(new TlsFiles(readable(CERTIFICATE, certificate.get()), readable(KEY, key.get())));
    }

    private static Path readable(String variable, String value) {
        Path path = Path.of(value);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new ConfigException(variable, "is not a readable file (got \"" + value + "\")");
        }
        return path;
    }
}
