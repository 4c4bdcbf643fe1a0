package dev.ampere.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * {@code ELECTRIC_MAX_CONCURRENT_REQUESTS}: how many shape requests of each kind may be in flight at once
 * (docs/protocol.md §1.15), written as Electric writes it, a JSON object with both keys, e.g.
 * {@code {"initial": 300, "existing": 10000}}.
 *
 * @param initial  requests for a shape this node does not know yet (no handle, or an unknown one), until the
 *                 shape's snapshot has started
 * @param existing every other shape request, live ones included, for as long as it runs
 *
 * <p>Immutable.
 */
public record RequestLimits(int initial, int existing) {
    public static final RequestLimits DEFAULT = new RequestLimits(300, 10_000);
    private static final String NAME = "ELECTRIC_MAX_CONCURRENT_REQUESTS";
    private static final JsonFactory JSON = new JsonFactory();

    static RequestLimits parse(String text) {
        Integer initial = null;
        Integer existing = null;
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw invalid(text);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) throw invalid(text);
                long v = p.getLongValue();
                if (v < 1 || v > Integer.MAX_VALUE) {
                    throw new ConfigException(NAME, "\"" + key + "\" must be a positive integer (got " + v + ")");
                }
                switch (key) {
                    case "initial" -> initial = (int) v;
                    case "existing" -> existing = (int) v;
                    default -> throw new ConfigException(NAME, "unknown key \"" + key
                            + "\"; expected \"initial\" and \"existing\"");
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) throw invalid(text);
        } catch (IOException e) {
            throw invalid(text);
        }
        if (initial == null || existing == null) {
            throw new ConfigException(NAME, "must set both \"initial\" and \"existing\" (got " + text + ")");
        }
        return new RequestLimits(initial, existing);
    }

    private static ConfigException invalid(String text) {
        return new ConfigException(NAME, "must be a JSON object like {\"initial\": 300, \"existing\": 10000} (got "
                + text + ")");
    }
}
