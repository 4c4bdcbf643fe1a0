package dev.ampere.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes small JSON documents to bytes with a shared, thread-safe jackson {@link JsonFactory}: compact output, UTF-8,
 * control characters escaped as Jason does ({@code \n}-style short forms, {@code \u001F} uppercase otherwise),
 * non-ASCII (including characters outside the BMP) written raw.
 *
 * <p>Thread-safe.
 */
final class JsonBodies {
    // Jason writes characters outside the BMP as raw UTF-8; jackson escapes them as surrogate pairs by default.
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

    @FunctionalInterface
    interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    private JsonBodies() {}

    static byte[] write(Writer writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory output never fails
        }
        return out.toByteArray();
    }

    static String writeString(Writer writer) {
        return new String(write(writer), java.nio.charset.StandardCharsets.UTF_8);
    }
}
