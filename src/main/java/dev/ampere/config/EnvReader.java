package dev.ampere.config;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Typed reads of environment variables with one-line errors that name the variable. Blank values count as unset.
 *
 * <p>Immutable view of the map it was given.
 */
final class EnvReader {
    private final Map<String, String> env;

    EnvReader(Map<String, String> env) {
        this.env = env;
    }

    Optional<String> string(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    int integer(String name, int fallback, int min, int max) {
        long v = longValue(name, fallback, min, max);
        return (int) v;
    }

    long longValue(String name, long fallback, long min, long max) {
        Optional<String> text = string(name);
        if (text.isEmpty()) return fallback;
        long v;
        try {
            v = Long.parseLong(text.get());
        } catch (NumberFormatException e) {
            throw new ConfigException(name, "must be an integer (got \"" + text.get() + "\")");
        }
        if (v < min || v > max) {
            throw new ConfigException(name, "must be between " + min + " and " + max + " (got " + v + ")");
        }
        return v;
    }

    boolean bool(String name, boolean fallback) {
        Optional<String> text = string(name);
        if (text.isEmpty()) return fallback;
        return switch (text.get().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new ConfigException(name, "must be true or false (got \"" + text.get() + "\")");
        };
    }
}
