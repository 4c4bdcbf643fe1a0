package dev.ampere.http;

import io.helidon.logging.common.spi.LoggingProvider;

/**
 * Helidon's logging hook, found through {@code META-INF/services}: Ampere logs through SLF4J with one provider, set
 * up before the server starts (java.util.logging, which Helidon writes to, is routed there too), so there is nothing
 * for Helidon to configure. Without a provider Helidon prints a notice on stdout at every start.
 *
 * <p>Stateless.
 */
public final class HelidonLogging implements LoggingProvider {
    @Override
    public void initialization() {
        // Logging is configured by Ampere itself.
    }

    @Override
    public void runTime() {
        // Nothing changes at run time.
    }
}
