package dev.cnai.cli.report;

import java.util.Locale;

/** Escaping and number formatting for the report's HTML and SVG. */
public final class Html {
    private Html() {
    }

    /** Text or attribute value with {@code & < > " '} escaped; null becomes the empty string. */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A number with a fixed number of decimals, Locale.ROOT. */
    static String num(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A coordinate: two decimals, no exponent. */
    static String c(double v) {
        return num(v, 2);
    }
}
