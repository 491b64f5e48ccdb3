package dev.cnai.cli.soak;

import java.util.List;

/** Least-squares slope of a metric over the run number: how much it grows per run. */
public final class Trend {
    private Trend() {
    }

    /** Slope of {@code y} against {@code x} (0 with fewer than two distinct x). */
    public static double slope(List<Integer> x, List<Double> y) {
        int n = x.size();
        if (n < 2) {
            return 0;
        }
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x.get(i);
            my += y.get(i);
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x.get(i) - mx) * (y.get(i) - my);
            sxx += (x.get(i) - mx) * (x.get(i) - mx);
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }

    /** Fraction of consecutive steps in which {@code y} rose (a leak rises nearly every run; noise does half the time). */
    public static double risingSteps(List<Double> y) {
        if (y.size() < 2) {
            return 0;
        }
        int up = 0;
        for (int i = 1; i < y.size(); i++) {
            if (y.get(i) > y.get(i - 1)) {
                up++;
            }
        }
        return up / (double) (y.size() - 1);
    }
}
