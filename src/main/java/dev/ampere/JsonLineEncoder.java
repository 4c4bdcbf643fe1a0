package dev.ampere;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.slf4j.event.KeyValuePair;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * One log event as one line of JSON: {@code time} (ISO-8601, UTC), {@code level}, {@code logger}, {@code message}
 * (formatted), {@code stack_id}, {@code thread}, then every MDC entry ({@code shape_handle} in a shape's processes)
 * and structured key-value argument at the top level, and {@code exception} (the stack trace as one string) when
 * there is one.
 *
 * <p>Hand-written over jackson-core because logback's own {@code JsonEncoder} writes the message template and its
 * arguments apart (no formatted message), nests the MDC and context, and spreads stack traces into arrays of frames:
 * log pipelines want the flat fields operators search by.
 *
 * <p>Thread-safe: logback calls it under the appender's lock; the factory is thread-safe.
 */
final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final byte[] NOTHING = new byte[0];

    private final String stackId;

    JsonLineEncoder(String stackId) {
        this.stackId = stackId;
    }

    @Override
    public byte[] headerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] footerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
            g.writeStringField("level", event.getLevel().toString());
            g.writeStringField("logger", event.getLoggerName());
            g.writeStringField("message", event.getFormattedMessage());
            g.writeStringField("stack_id", stackId);
            g.writeStringField("thread", event.getThreadName());
            Map<String, String> mdc = event.getMDCPropertyMap();
            if (mdc != null) {
                for (Map.Entry<String, String> e : mdc.entrySet()) g.writeStringField(e.getKey(), e.getValue());
            }
            if (event.getKeyValuePairs() != null) {
                for (KeyValuePair kv : event.getKeyValuePairs()) {
                    g.writeStringField(kv.key, String.valueOf(kv.value));
                }
            }
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) g.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory output never fails
        }
        out.write('\n');
        return out.toByteArray();
    }
}
