package dev.ampere.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed Prometheus text exposition: every sample as {@code name{label="v",...}} (labels sorted as written) to
 * its value. Comment lines must be {@code # HELP} or {@code # TYPE}; any other line that is not a sample fails.
 */
record PrometheusText(Map<String, Double> samples) {
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (-?[0-9.eE+-]+|NaN|[+-]Inf)( [0-9]+)?");

    static PrometheusText parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) continue;
            if (line.startsWith("#")) {
                if (!line.startsWith("# HELP ") && !line.startsWith("# TYPE ")) {
                    throw new IllegalArgumentException("bad comment line: " + line);
                }
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) throw new IllegalArgumentException("bad sample line: " + line);
            String value = m.group(3);
            double v = switch (value) {
                case "NaN" -> Double.NaN;
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(value);
            };
            samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), v);
        }
        return new PrometheusText(samples);
    }

    /** The sample's value; fails when absent. */
    double value(String series) {
        Double v = samples.get(series);
        if (v == null) throw new AssertionError("no series " + series + " in " + ours().keySet());
        return v;
    }

    /** The sample's value, or 0 when the series does not exist yet (counters with labels appear on first use). */
    double valueOrZero(String series) {
        return samples.getOrDefault(series, 0.0);
    }

    /** Ampere's and Electric's own series, for failure messages. */
    Map<String, Double> ours() {
        Map<String, Double> out = new LinkedHashMap<>();
        samples.forEach((k, v) -> {
            if (k.startsWith("ampere_") || k.startsWith("electric_")) out.put(k, v);
        });
        return out;
    }

    boolean has(String series) {
        return samples.containsKey(series);
    }
}
