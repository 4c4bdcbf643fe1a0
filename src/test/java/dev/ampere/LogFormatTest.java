package dev.ampere;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ampere.shapes.Snapshotter;
import dev.ampere.testing.RunningAmpere;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.ampere.testing.RunningAmpere.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ELECTRIC_LOG_FORMAT=json: a real stack's log lines, each one JSON object with level, time, logger, message and
 * the stack id, and a shape's processes' lines with the shape's handle.
 */
class LogFormatTest {
    private static final JsonFactory JSON = new JsonFactory();

    @Test
    void everyLineIsOneJsonObjectWithTheFields() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ch.qos.logback.classic.Logger snapshotter = ((LoggerContext) LoggerFactory.getILoggerFactory())
                .getLogger(Snapshotter.class);
        Level level = snapshotter.getLevel();
        String handle;
        try (AutoCloseable json = LogFormat.useJson("json_stack", out)) {
            snapshotter.setLevel(Level.DEBUG);
            try (RunningAmpere stack = new RunningAmpere()) {
                stack.sql("CREATE TABLE logged (id int PRIMARY KEY)", "INSERT INTO logged VALUES (1), (2), (3)");
                var r = stack.shape(params("table", "logged", "offset", "-1"));
                assertEquals(200, r.statusCode(), r.body());
                handle = r.headers().firstValue("electric-handle").orElseThrow();
                // The snapshotter logs its end after committing, which may be after the response was served.
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (!out.toString(StandardCharsets.UTF_8).contains("done: 3 rows")) {
                    if (System.nanoTime() > deadline) throw new AssertionError("no snapshot line: " + out);
                    Thread.sleep(20);
                }
                LoggerFactory.getLogger(LogFormatTest.class).error("a failure for the log", new IllegalStateException("boom"));
            }
        } finally {
            snapshotter.setLevel(level);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        assertTrue(lines.length >= 3, text);
        List<Map<String, Object>> events = new ArrayList<>();
        for (String line : lines) {
            Map<String, Object> e = parseObject(line);
            for (String field : new String[] {"time", "level", "logger", "message", "thread"}) {
                assertInstanceOf(String.class, e.get(field), "no " + field + " in " + line);
            }
            Instant.parse((String) e.get("time"));
            assertEquals("json_stack", e.get("stack_id"), line);
            events.add(e);
        }
        // The shape's snapshotter logged with the shape's handle, the recovery progress line is there, and an
        // exception is one field of its line, not lines of its own.
        assertTrue(events.stream().anyMatch(e -> e.get("logger").equals(Snapshotter.class.getName())
                && handle.equals(e.get("shape_handle")) && ((String) e.get("message")).contains("done: 3 rows")), text);
        assertTrue(events.stream().anyMatch(e -> ((String) e.get("message")).contains("holding the replication lock")), text);
        assertTrue(events.stream().anyMatch(e -> ((String) e.get("message")).contains("stored shapes")), text);
        Map<String, Object> failure = events.stream()
                .filter(e -> "a failure for the log".equals(e.get("message"))).findFirst().orElseThrow();
        assertEquals("ERROR", failure.get("level"));
        assertTrue(String.valueOf(failure.get("exception")).startsWith("java.lang.IllegalStateException: boom"),
                failure.toString());
        assertFalse(text.lines().anyMatch(l -> l.startsWith("\tat ")), "stack frames outside the JSON");
    }

    private static Map<String, Object> parseObject(String line) throws IOException {
        try (JsonParser p = JSON.createParser(line)) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken(), line);
            Map<String, Object> m = readObject(p);
            assertEquals(null, p.nextToken(), "more than one value on the line: " + line);
            return m;
        }
    }

    private static Map<String, Object> readObject(JsonParser p) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            m.put(name, readValue(p));
        }
        return m;
    }

    private static Object readValue(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> readObject(p);
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) list.add(readValue(p));
                yield list;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            case VALUE_NULL -> null;
            default -> throw new IOException("unexpected " + p.currentToken());
        };
    }
}
