package dev.cnai.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads comma-separated numeric data: the label (a non-negative integer) in the first column, the
 * features after it. A first row whose label column is not a number is taken as a header and skipped.
 * Blank lines are ignored; gzipped files are detected by content.
 */
final class CsvReader {
    private CsvReader() {
    }

    static Dataset read(Path path, Integer limit, DatasetLimits limits) {
        String file = "CSV file " + path;
        FloatList x = new FloatList(1 << 16);
        IntList y = new IntList();
        int features = -1;
        int maxLabel = -1;
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(Sources.open(path, limits), StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            int lineNo = 0;
            boolean first = true;
            List<String> fields = new ArrayList<>();
            while ((line = in.readLine()) != null && (limit == null || y.size() < limit)) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                split(line, fields);
                if (first) {
                    first = false;
                    if (!isNumber(fields.get(0))) {
                        continue;
                    }
                }
                if (fields.size() < 2) {
                    throw DatasetException.malformed(file, "line " + lineNo + " has " + fields.size()
                            + " column; expected the label followed by at least one feature, separated by commas");
                }
                if (features < 0) {
                    features = fields.size() - 1;
                } else if (fields.size() - 1 != features) {
                    throw DatasetException.malformed(file, "line " + lineNo + " has " + (fields.size() - 1)
                            + " features but the first data row has " + features + "; every row needs the same number of columns");
                }
                if (y.size() == limits.maxRows()) {
                    throw limits.rowsOver(file + " holds more than " + limits.maxRows());
                }
                int label = parseLabel(fields.get(0), file, lineNo);
                maxLabel = Math.max(maxLabel, label);
                y.add(label);
                for (int c = 1; c < fields.size(); c++) {
                    String v = fields.get(c);
                    try {
                        x.add(Float.parseFloat(v));
                    } catch (NumberFormatException e) {
                        throw DatasetException.malformed(file, "line " + lineNo + ", column " + (c + 1) + ": '" + v
                                + "' is not a number; features must be numeric");
                    }
                }
            }
        } catch (IOException e) {
            throw DatasetException.unreadable(file, e);
        }
        if (y.size() == 0) {
            throw DatasetException.malformed(file, "has no data rows; expected lines of 'label,feature1,feature2,...'");
        }
        return new Dataset(features, maxLabel + 1, x.toArray(), y.toArray());
    }

    private static int parseLabel(String v, String file, int lineNo) {
        int label;
        try {
            label = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            double d;
            try {
                d = Double.parseDouble(v);
            } catch (NumberFormatException e2) {
                throw DatasetException.malformed(file, "line " + lineNo + ", column 1: label '" + v
                        + "' is not a number; the first column must be the class label (0, 1, 2, ...)");
            }
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw DatasetException.malformed(file, "line " + lineNo + ", column 1: label '" + v
                        + "' is not an integer; the first column must be the class label (0, 1, 2, ...)");
            }
            label = (int) d;
        }
        if (label < 0) {
            throw DatasetException.malformed(file, "line " + lineNo + ", column 1: label " + label
                    + " is negative; class labels must be 0, 1, 2, ...");
        }
        return label;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void split(String line, List<String> out) {
        out.clear();
        int start = 0;
        while (true) {
            int comma = line.indexOf(',', start);
            String field = (comma < 0 ? line.substring(start) : line.substring(start, comma)).trim();
            if (field.length() >= 2 && field.charAt(0) == '"' && field.charAt(field.length() - 1) == '"') {
                field = field.substring(1, field.length() - 1).trim();
            }
            out.add(field);
            if (comma < 0) {
                return;
            }
            start = comma + 1;
        }
    }

    /** A growable int array. */
    static final class IntList {
        private int[] a = new int[1024];
        private int size;

        void add(int v) {
            if (size == a.length) {
                a = java.util.Arrays.copyOf(a, a.length * 2);
            }
            a[size++] = v;
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(a, size);
        }
    }
}
