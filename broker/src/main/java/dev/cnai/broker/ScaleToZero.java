package dev.cnai.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Local scale to zero: subscribers the broker launches as processes on their first delivery and stops after
 * {@code idleTimeout} without deliveries, the way Knative's activator and autoscaler treat a min-scale-0 Service.
 *
 * @param processes Knative Service name → command line that starts it; it must listen on the URL mapped for that
 *        name with {@code --subscriber}
 * @param idleTimeout how long a started process may go without deliveries before it is stopped
 * @param startTimeout how long a cold start may take (spawn until the health URL answers 200)
 * @param healthPath path on the subscriber's base URL that answers 200 once it can take events
 * @param stopGrace how long a stopped process may take to exit after SIGTERM before it is killed
 * @param logDir where each process's output goes ({@code <name>.log}, appended), or null to discard it
 */
public record ScaleToZero(Map<String, List<String>> processes, Duration idleTimeout, Duration startTimeout,
        String healthPath, Duration stopGrace, Path logDir) {

    /** Default idle time before a process is stopped. */
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(30);
    /** Default cold-start limit. */
    public static final Duration DEFAULT_START = Duration.ofSeconds(60);
    /** Default health path: Quarkus readiness, as Knative's activator waits for the readiness probe to pass. */
    public static final String DEFAULT_HEALTH = "/q/health/ready";

    /** No managed processes. */
    public static final ScaleToZero NONE = new ScaleToZero(Map.of(), DEFAULT_IDLE, DEFAULT_START, DEFAULT_HEALTH,
            Duration.ofSeconds(10), null);

    /** Validates and copies. */
    public ScaleToZero {
        java.util.Map<String, List<String>> copy = new java.util.LinkedHashMap<>();
        processes.forEach((name, cmd) -> {
            if (cmd.isEmpty()) {
                throw new IllegalArgumentException("process '" + name + "' has an empty command line");
            }
            copy.put(name, List.copyOf(cmd));
        });
        processes = java.util.Collections.unmodifiableMap(copy);
        if (idleTimeout.isNegative() || idleTimeout.isZero() || startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("idle and start timeouts must be positive");
        }
        if (healthPath == null || !healthPath.startsWith("/")) {
            throw new IllegalArgumentException("health path must start with '/', got '" + healthPath + "'");
        }
    }

    /** True when no process is managed. */
    public boolean isEmpty() {
        return processes.isEmpty();
    }

    /**
     * Parses {@code name=command line}. The command line is split on whitespace; single or double quotes keep
     * whitespace inside one argument, and a backslash escapes the next character outside single quotes.
     *
     * @throws IllegalArgumentException when it is not of that form or the quoting is unbalanced
     */
    public static Map.Entry<String, List<String>> parseProcess(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0 || eq == text.length() - 1) {
            throw new IllegalArgumentException("process must be name=command line, got '" + text + "'");
        }
        String name = text.substring(0, eq).trim();
        List<String> cmd = splitCommandLine(text.substring(eq + 1));
        if (cmd.isEmpty()) {
            throw new IllegalArgumentException("process '" + name + "' has an empty command line");
        }
        return Map.entry(name, cmd);
    }

    /** Splits a command line into arguments (whitespace separated; quotes and backslash as in a POSIX shell). */
    public static List<String> splitCommandLine(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inArg = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
                inArg = true;
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inArg = true;
            } else if (Character.isWhitespace(c)) {
                if (inArg) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inArg = false;
                }
            } else {
                cur.append(c);
                inArg = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unbalanced " + quote + " quote in command line: " + line);
        }
        if (inArg) {
            out.add(cur.toString());
        }
        return out;
    }

    /** Quotes arguments so that {@link #splitCommandLine} gives them back unchanged. */
    public static String joinCommandLine(List<String> args) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append('\'').append(a.replace("'", "'\\''")).append('\'');
        }
        return sb.toString();
    }
}
