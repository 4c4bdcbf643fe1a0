package dev.ampere.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads of environment variables with one-line errors that name the variable. Blank values count as unset.
 *
 * <p>Immutable view of the map it was given.
 */
final class EnvReader {
    private static final Pattern DURATION =
            Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(|ms|msec|s|sec|m|min)");
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

    /**
     * A positive duration written as Electric writes times: a number with an optional unit {@code ms}/{@code msec},
     * {@code s}/{@code sec} or {@code m}/{@code min}; no unit means milliseconds ({@code 30s}, {@code 1.5m},
     * {@code 500}).
     */
    Duration duration(String name, Duration fallback) {
        Optional<String> text = string(name);
        if (text.isEmpty()) return fallback;
        Matcher m = DURATION.matcher(text.get());
        double millis = -1;
        if (m.matches()) {
            double n = Double.parseDouble(m.group(1));
            millis = switch (m.group(2).trim()) {
                case "", "ms", "msec" -> n;
                case "s", "sec" -> n * 1000;
                default -> n * 60_000;
            };
        }
        if (!(millis >= 1) || millis > Integer.MAX_VALUE) {
            throw new ConfigException(name, "must be a positive time such as 30s, 500ms or 2m (got \"" + text.get() + "\")");
        }
        return Duration.ofMillis((long) millis);
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
