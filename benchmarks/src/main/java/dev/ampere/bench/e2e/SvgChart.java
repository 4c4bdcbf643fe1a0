package dev.ampere.bench.e2e;

import java.util.List;
import java.util.Locale;

/**
 * Draws write → client latency against the number of shapes as a small SVG line chart, both axes logarithmic:
 * Ampere's p50 and p99 as solid lines, the replication stream's as dashed lines.
 */
final class SvgChart {
    private static final int W = 640;
    private static final int H = 400;
    private static final int LEFT = 70;
    private static final int RIGHT = 170;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private SvgChart() {}

    static String latencyVsN(List<LatencyScenario.Point> points) {
        double xMin = Math.log10(points.stream().mapToInt(LatencyScenario.Point::shapes).min().orElse(1));
        double xMax = Math.log10(points.stream().mapToInt(LatencyScenario.Point::shapes).max().orElse(10));
        if (xMax - xMin < 1e-9) xMax = xMin + 1;
        double yLo = Double.MAX_VALUE;
        double yHi = 0;
        for (LatencyScenario.Point p : points) {
            for (double v : new double[]{p.ampere().p50(), p.ampere().p99(), p.baseline().p50(), p.baseline().p99()}) {
                if (v > 0 && !Double.isNaN(v)) {
                    yLo = Math.min(yLo, v);
                    yHi = Math.max(yHi, v);
                }
            }
        }
        if (yHi == 0) {
            yLo = 0.1;
            yHi = 100;
        }
        double yMin = Math.floor(Math.log10(yLo));
        double yMax = Math.ceil(Math.log10(yHi));
        if (yMax - yMin < 1) yMax = yMin + 1;
        Axis axis = new Axis(xMin, xMax, yMin, yMax);

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", W, H));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\">write → client latency vs number"
                + " of shapes (log-log)</text>%n", LEFT));
        for (double e = yMin; e <= yMax + 1e-9; e++) {
            double y = axis.y(Math.pow(10, e));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s ms</text>%n", LEFT, W - RIGHT, y, y, LEFT - 6,
                    y + 4, java.math.BigDecimal.valueOf(Math.pow(10, e)).stripTrailingZeros().toPlainString()));
        }
        for (LatencyScenario.Point p : points) {
            double x = axis.x(p.shapes());
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#eee\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%,d</text>%n", x, x, TOP, H - BOTTOM, x,
                    H - BOTTOM + 18, p.shapes()));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">indexed shapes (N)</text>%n",
                (LEFT + W - RIGHT) / 2, H - 12));
        series(svg, axis, points, "Ampere p50", "#1f77b4", false, p -> p.ampere().p50(), 0);
        series(svg, axis, points, "Ampere p99", "#d62728", false, p -> p.ampere().p99(), 1);
        series(svg, axis, points, "stream p50", "#1f77b4", true, p -> p.baseline().p50(), 2);
        series(svg, axis, points, "stream p99", "#d62728", true, p -> p.baseline().p99(), 3);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void series(StringBuilder svg, Axis axis, List<LatencyScenario.Point> points, String label,
            String colour, boolean dashed, java.util.function.ToDoubleFunction<LatencyScenario.Point> value, int slot) {
        StringBuilder path = new StringBuilder();
        for (LatencyScenario.Point p : points) {
            double v = value.applyAsDouble(p);
            if (Double.isNaN(v) || v <= 0) continue;
            path.append(path.isEmpty() ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", axis.x(p.shapes()), axis.y(v)));
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
                    axis.x(p.shapes()), axis.y(v), colour));
        }
        String dash = dashed ? " stroke-dasharray=\"6 4\"" : "";
        svg.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                path, colour, dash));
        int ly = TOP + 10 + slot * 20;
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>"
                + "<text x=\"%d\" y=\"%d\">%s</text>%n", W - RIGHT + 15, W - RIGHT + 45, ly, ly, colour, dash,
                W - RIGHT + 52, ly + 4, label));
    }

    /** Maps a shape count and a latency to pixels on the two logarithmic axes. */
    private record Axis(double xMin, double xMax, double yMin, double yMax) {
        double x(double shapes) {
            return LEFT + (Math.log10(shapes) - xMin) / (xMax - xMin) * (W - LEFT - RIGHT);
        }

        double y(double ms) {
            return H - BOTTOM - (Math.log10(ms) - yMin) / (yMax - yMin) * (H - TOP - BOTTOM);
        }
    }
}
