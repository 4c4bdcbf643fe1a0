package dev.ampere;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Routes java.util.logging (Helidon, pgjdbc) into SLF4J, so the product has one logging provider and one format.
 *
 * <p>Thread-safe and idempotent.
 */
final class LogBridge {
    private LogBridge() {}

    static synchronized void install() {
        if (SLF4JBridgeHandler.isInstalled()) return;
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }
}
