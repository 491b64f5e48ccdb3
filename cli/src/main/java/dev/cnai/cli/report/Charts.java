package dev.cnai.cli.report;

import static dev.cnai.cli.report.Html.c;
import static dev.cnai.cli.report.Html.escape;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Small inline-SVG charts: lines over rounds with an optional marker, min–max ranges with the values, a heat map
 * (confusion matrix) and horizontal bars. Every chart is a complete {@code <svg>} element; names and labels are
 * escaped; empty data gives a chart that says so instead of failing.
 */
public final class Charts {
    static final int WIDTH = 560;
    static final int HEIGHT = 300;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 34;
    private static final int BOTTOM = 46;
    static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"};

    private Charts() {
    }

    /** A point; a non-finite {@code y} is a gap. */
    public record Point(double x, double y) {
    }

    /** One line. */
    public record Series(String name, List<Point> points) {
    }

    /** A vertical marker at {@code x} with a label. */
    public record Marker(double x, String label) {
    }

    /** The values at one x: drawn as a min–max bar with each value as a dot and the mean as a tick. */
    public record Range(double x, List<Double> values) {
    }

    /** One horizontal bar. */
    public record Bar(String label, double value) {
    }

    /** Lines over x, with markers (e.g. the best round, the early stop). */
    public static String lines(String title, String xLabel, String yLabel, List<Series> series, List<Marker> markers) {
        List<Point> all = new ArrayList<>();
        series.forEach(s -> s.points().stream().filter(p -> Double.isFinite(p.y()) && Double.isFinite(p.x()))
                .forEach(all::add));
        StringBuilder b = open(title);
        if (all.isEmpty()) {
            return empty(b);
        }
        Scale x = Scale.of(all.stream().mapToDouble(Point::x).toArray(), LEFT, WIDTH - RIGHT, true);
        Scale y = Scale.of(all.stream().mapToDouble(Point::y).toArray(), HEIGHT - BOTTOM, TOP, false);
        axes(b, x, y, xLabel, yLabel);
        for (int k = 0; k < markers.size(); k++) {
            Marker m = markers.get(k);
            double px = x.map(m.x());
            boolean leftOf = px > (LEFT + WIDTH - RIGHT) / 2.0; // labels near the right edge go left of the line
            b.append("<line class=\"marker\" x1=\"").append(c(px)).append("\" y1=\"").append(TOP).append("\" x2=\"")
                    .append(c(px)).append("\" y2=\"").append(HEIGHT - BOTTOM)
                    .append("\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>")
                    .append("<text class=\"marker-label\" x=\"").append(c(leftOf ? px - 3 : px + 3)).append("\" y=\"")
                    .append(HEIGHT - BOTTOM - 6 - 12 * k).append("\" font-size=\"10\" fill=\"#333\" text-anchor=\"")
                    .append(leftOf ? "end" : "start").append("\">").append(escape(m.label())).append("</text>");
        }
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String color = PALETTE[i % PALETTE.length];
            StringBuilder pts = new StringBuilder();
            for (Point p : s.points()) {
                if (Double.isFinite(p.y()) && Double.isFinite(p.x())) {
                    pts.append(pts.isEmpty() ? "" : " ").append(c(x.map(p.x()))).append(',').append(c(y.map(p.y())));
                }
            }
            if (pts.isEmpty()) {
                continue;
            }
            b.append("<polyline class=\"series\" data-name=\"").append(escape(s.name())).append("\" fill=\"none\" stroke=\"")
                    .append(color).append("\" stroke-width=\"2\" points=\"").append(pts).append("\"/>");
            for (Point p : s.points()) {
                if (Double.isFinite(p.y()) && Double.isFinite(p.x())) {
                    b.append("<circle cx=\"").append(c(x.map(p.x()))).append("\" cy=\"").append(c(y.map(p.y())))
                            .append("\" r=\"3\" fill=\"").append(color).append("\"><title>").append(escape(s.name()))
                            .append(' ').append(fmt(p.x())).append(": ").append(fmt(p.y())).append("</title></circle>");
                }
            }
        }
        legend(b, series.stream().map(Series::name).toList());
        return b.append("</svg>").toString();
    }

    /** Min–max ranges with their values over x (e.g. the shards' training loss per round). */
    public static String ranges(String title, String xLabel, String yLabel, List<Range> ranges) {
        List<Point> all = new ArrayList<>();
        for (Range r : ranges) {
            r.values().stream().filter(Double::isFinite).forEach(v -> all.add(new Point(r.x(), v)));
        }
        StringBuilder b = open(title);
        if (all.isEmpty()) {
            return empty(b);
        }
        Scale x = Scale.of(all.stream().mapToDouble(Point::x).toArray(), LEFT, WIDTH - RIGHT, true);
        Scale y = Scale.of(all.stream().mapToDouble(Point::y).toArray(), HEIGHT - BOTTOM, TOP, false);
        axes(b, x, y, xLabel, yLabel);
        StringBuilder means = new StringBuilder();
        for (Range r : ranges) {
            double[] v = r.values().stream().filter(Double::isFinite).mapToDouble(Double::doubleValue).toArray();
            if (v.length == 0) {
                continue;
            }
            double min = java.util.Arrays.stream(v).min().orElseThrow();
            double max = java.util.Arrays.stream(v).max().orElseThrow();
            double mean = java.util.Arrays.stream(v).average().orElseThrow();
            double px = x.map(r.x());
            b.append("<path class=\"range\" d=\"M").append(c(px)).append(',').append(c(y.map(min))).append(" L")
                    .append(c(px)).append(',').append(c(y.map(max))).append(" M").append(c(px - 6)).append(',')
                    .append(c(y.map(min))).append(" L").append(c(px + 6)).append(',').append(c(y.map(min))).append(" M")
                    .append(c(px - 6)).append(',').append(c(y.map(max))).append(" L").append(c(px + 6)).append(',')
                    .append(c(y.map(max))).append("\" stroke=\"").append(PALETTE[0]).append("\" stroke-width=\"2\">")
                    .append("<title>").append(fmt(r.x())).append(": min ").append(fmt(min)).append(", max ")
                    .append(fmt(max)).append(", spread ").append(fmt(max - min)).append("</title></path>");
            for (double value : v) {
                b.append("<circle cx=\"").append(c(px)).append("\" cy=\"").append(c(y.map(value)))
                        .append("\" r=\"2.5\" fill=\"").append(PALETTE[0]).append("\" fill-opacity=\"0.6\"/>");
            }
            means.append(means.isEmpty() ? "" : " ").append(c(px)).append(',').append(c(y.map(mean)));
        }
        b.append("<polyline class=\"series\" data-name=\"mean\" fill=\"none\" stroke=\"").append(PALETTE[1])
                .append("\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\" points=\"").append(means).append("\"/>");
        legend(b, List.of("shards (min–max, each shard a dot)", "mean"));
        return b.append("</svg>").toString();
    }

    /** A square heat map of counts, rows = truth, columns = prediction, each cell labelled with its count. */
    public static String heatmap(String title, List<String> labels, long[][] counts) {
        int n = labels.size();
        int cell = n == 0 ? 0 : Math.max(14, Math.min(40, 400 / n));
        int left = 50;
        int top = 40;
        int size = n * cell;
        StringBuilder b = new StringBuilder();
        int w = Math.max(WIDTH, left + size + 20);
        int h = top + size + 40;
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"").append(w).append("\" height=\"")
                .append(Math.max(h, 80)).append("\" viewBox=\"0 0 ").append(w).append(' ').append(Math.max(h, 80))
                .append("\" role=\"img\" aria-label=\"").append(escape(title)).append("\">").append("<text x=\"")
                .append(left).append("\" y=\"18\" font-size=\"14\" font-weight=\"bold\">").append(escape(title))
                .append("</text>");
        if (n == 0 || counts == null || counts.length != n) {
            return empty(b);
        }
        long max = 1;
        for (long[] row : counts) {
            for (long v : row) {
                max = Math.max(max, v);
            }
        }
        for (int t = 0; t < n; t++) {
            b.append("<text x=\"").append(left - 6).append("\" y=\"").append(top + t * cell + cell / 2 + 4)
                    .append("\" font-size=\"10\" text-anchor=\"end\">").append(escape(labels.get(t))).append("</text>");
            b.append("<text x=\"").append(left + t * cell + cell / 2).append("\" y=\"").append(top + size + 14)
                    .append("\" font-size=\"10\" text-anchor=\"middle\">").append(escape(labels.get(t))).append("</text>");
            for (int p = 0; p < n; p++) {
                long v = p < counts[t].length ? counts[t][p] : 0;
                double shade = (double) v / max;
                String fill = t == p ? blend(0xffffff, 0x2ca02c, shade) : blend(0xffffff, 0xd62728, Math.min(1, shade * 3));
                b.append("<rect class=\"cell\" x=\"").append(left + p * cell).append("\" y=\"").append(top + t * cell)
                        .append("\" width=\"").append(cell).append("\" height=\"").append(cell).append("\" fill=\"")
                        .append(fill).append("\" stroke=\"#ddd\"><title>true ").append(escape(labels.get(t)))
                        .append(", predicted ").append(escape(labels.get(p))).append(": ").append(v)
                        .append("</title></rect>");
                if (v > 0) {
                    b.append("<text x=\"").append(left + p * cell + cell / 2).append("\" y=\"")
                            .append(top + t * cell + cell / 2 + 4).append("\" font-size=\"").append(cell >= 28 ? 10 : 8)
                            .append("\" text-anchor=\"middle\">").append(v).append("</text>");
                }
            }
        }
        b.append("<text x=\"").append(left + size / 2).append("\" y=\"").append(top + size + 32)
                .append("\" font-size=\"11\" text-anchor=\"middle\">predicted</text>");
        b.append("<text x=\"12\" y=\"").append(top + size / 2).append("\" font-size=\"11\" transform=\"rotate(-90 12 ")
                .append(top + size / 2).append(")\" text-anchor=\"middle\">true</text>");
        return b.append("</svg>").toString();
    }

    /** Horizontal bars with their values (e.g. seconds or joules per step). */
    public static String bars(String title, String unit, List<Bar> bars) {
        int rowH = 22;
        int left = 150;
        int h = TOP + Math.max(1, bars.size()) * rowH + 20;
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"").append(WIDTH).append("\" height=\"")
                .append(h).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(h).append("\" role=\"img\" aria-label=\"")
                .append(escape(title)).append("\"><text x=\"").append(LEFT).append("\" y=\"18\" font-size=\"14\" font-weight=\"bold\">")
                .append(escape(title)).append("</text>");
        double max = bars.stream().mapToDouble(Bar::value).filter(Double::isFinite).max().orElse(0);
        if (bars.isEmpty() || !(max > 0)) {
            return empty(b);
        }
        double span = WIDTH - left - 90;
        for (int i = 0; i < bars.size(); i++) {
            Bar bar = bars.get(i);
            double v = Double.isFinite(bar.value()) ? Math.max(0, bar.value()) : 0;
            int y = TOP + i * rowH;
            b.append("<text x=\"").append(left - 6).append("\" y=\"").append(y + 14)
                    .append("\" font-size=\"11\" text-anchor=\"end\">").append(escape(bar.label())).append("</text>")
                    .append("<rect class=\"bar\" x=\"").append(left).append("\" y=\"").append(y + 3).append("\" width=\"")
                    .append(c(Math.max(1, span * v / max))).append("\" height=\"").append(rowH - 6).append("\" fill=\"")
                    .append(PALETTE[i % PALETTE.length]).append("\"/>").append("<text x=\"")
                    .append(c(left + span * v / max + 4)).append("\" y=\"").append(y + 14).append("\" font-size=\"11\">")
                    .append(escape(fmt(v) + " " + unit)).append("</text>");
        }
        return b.append("</svg>").toString();
    }

    private static StringBuilder open(String title) {
        return new StringBuilder().append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"")
                .append(WIDTH).append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" role=\"img\" aria-label=\"").append(escape(title)).append("\"><text x=\"")
                .append(LEFT).append("\" y=\"18\" font-size=\"14\" font-weight=\"bold\">").append(escape(title))
                .append("</text>");
    }

    private static String empty(StringBuilder b) {
        return b.append("<text class=\"no-data\" x=\"").append(WIDTH / 2).append("\" y=\"60\" font-size=\"12\" ")
                .append("text-anchor=\"middle\" fill=\"#777\">no data</text></svg>").toString();
    }

    private static void axes(StringBuilder b, Scale x, Scale y, String xLabel, String yLabel) {
        int x0 = LEFT;
        int x1 = WIDTH - RIGHT;
        int y0 = HEIGHT - BOTTOM;
        b.append("<path class=\"axis\" d=\"M").append(x0).append(',').append(TOP).append(" L").append(x0).append(',')
                .append(y0).append(" L").append(x1).append(',').append(y0).append("\" stroke=\"#333\" fill=\"none\"/>");
        for (double t : y.ticks()) {
            double py = y.map(t);
            b.append("<line x1=\"").append(x0).append("\" y1=\"").append(c(py)).append("\" x2=\"").append(x1)
                    .append("\" y2=\"").append(c(py)).append("\" stroke=\"#eee\"/>")
                    .append("<text x=\"").append(x0 - 5).append("\" y=\"").append(c(py + 4))
                    .append("\" font-size=\"10\" text-anchor=\"end\">").append(fmt(t)).append("</text>");
        }
        for (double t : x.ticks()) {
            double px = x.map(t);
            b.append("<text x=\"").append(c(px)).append("\" y=\"").append(y0 + 15)
                    .append("\" font-size=\"10\" text-anchor=\"middle\">").append(fmt(t)).append("</text>");
        }
        b.append("<text x=\"").append((x0 + x1) / 2).append("\" y=\"").append(HEIGHT - 12)
                .append("\" font-size=\"11\" text-anchor=\"middle\">").append(escape(xLabel)).append("</text>");
        b.append("<text x=\"14\" y=\"").append((TOP + y0) / 2).append("\" font-size=\"11\" text-anchor=\"middle\" ")
                .append("transform=\"rotate(-90 14 ").append((TOP + y0) / 2).append(")\">").append(escape(yLabel))
                .append("</text>");
    }

    private static void legend(StringBuilder b, List<String> names) {
        int x = WIDTH - RIGHT - 170;
        for (int i = 0; i < names.size(); i++) {
            int y = TOP + 4 + i * 14;
            b.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"10\" height=\"3\" fill=\"")
                    .append(PALETTE[i % PALETTE.length]).append("\"/><text x=\"").append(x + 14).append("\" y=\"")
                    .append(y + 5).append("\" font-size=\"10\">").append(escape(names.get(i))).append("</text>");
        }
    }

    private static String blend(int from, int to, double t) {
        t = Math.max(0, Math.min(1, t));
        int r = (int) Math.round(((from >> 16) & 0xff) * (1 - t) + ((to >> 16) & 0xff) * t);
        int g = (int) Math.round(((from >> 8) & 0xff) * (1 - t) + ((to >> 8) & 0xff) * t);
        int bl = (int) Math.round((from & 0xff) * (1 - t) + (to & 0xff) * t);
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, bl);
    }

    /** Compact number for labels. */
    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        double a = Math.abs(v);
        return Html.num(v, a >= 100 ? 1 : a >= 1 ? 2 : a >= 0.01 ? 3 : 5);
    }

    /** A linear map from a data range onto pixels, padded when the range is a single value. */
    record Scale(double lo, double hi, double from, double to, boolean integer) {
        static Scale of(double[] values, double from, double to, boolean integer) {
            double lo = java.util.Arrays.stream(values).min().orElse(0);
            double hi = java.util.Arrays.stream(values).max().orElse(1);
            if (hi - lo < 1e-12) {
                double pad = integer ? 1 : Math.max(Math.abs(lo) * 0.1, 1e-3);
                lo -= pad;
                hi += pad;
            } else if (!integer) {
                double pad = (hi - lo) * 0.08;
                lo -= pad;
                hi += pad;
            }
            return new Scale(lo, hi, from, to, integer);
        }

        double map(double v) {
            return from + (v - lo) / (hi - lo) * (to - from);
        }

        List<Double> ticks() {
            List<Double> out = new ArrayList<>();
            if (integer) {
                long first = (long) Math.ceil(lo);
                long last = (long) Math.floor(hi);
                long step = Math.max(1, (last - first + 1) / 10);
                for (long t = first; t <= last; t += step) {
                    out.add((double) t);
                }
                return out;
            }
            double raw = (hi - lo) / 5;
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = raw / mag >= 5 ? 5 * mag : raw / mag >= 2 ? 2 * mag : mag;
            for (double t = Math.ceil(lo / step) * step; t <= hi + 1e-12; t += step) {
                out.add(Math.abs(t) < step * 1e-9 ? 0 : t);
            }
            return out;
        }
    }
}
