package dev.ampere;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;

/**
 * Switches the log output to one JSON object per line ({@code ELECTRIC_LOG_FORMAT=json}), written by
 * {@link JsonLineEncoder}: {@code time}, {@code level}, {@code logger}, {@code message}, {@code stack_id},
 * {@code thread}, {@code shape_handle} in a shape's processes, {@code exception} when there is one. The text format
 * is src/main/resources/logback.xml.
 *
 * <p>Called once at start-up, before the stack starts; idempotent.
 */
public final class LogFormat {
    static final String APPENDER = "STDERR";

    private LogFormat() {}

    /**
     * Writes every later log line as JSON to {@code out} (stderr from {@link Main}), naming the stack. Closing the
     * result puts the previous output back (for tests).
     */
    public static synchronized AutoCloseable useJson(String stackId, OutputStream out) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        JsonLineEncoder encoder = new JsonLineEncoder(stackId);
        encoder.setContext(context);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName(APPENDER);
        appender.setEncoder(encoder);
        appender.setImmediateFlush(true);
        appender.setOutputStream(out);
        appender.start();
        java.util.List<ch.qos.logback.core.Appender<ILoggingEvent>> previous = new java.util.ArrayList<>();
        root.iteratorForAppenders().forEachRemaining(previous::add);
        previous.forEach(root::detachAppender);
        root.addAppender(appender);
        return () -> {
            synchronized (LogFormat.class) {
                root.detachAppender(appender);
                appender.stop();
                previous.forEach(root::addAppender);
            }
        };
    }
}
