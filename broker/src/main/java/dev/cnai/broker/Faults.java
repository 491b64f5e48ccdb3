package dev.cnai.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Fault injection settings for the local broker (development only, off by default): what the broker does wrong on
 * purpose so that the pipeline's at-least-once handling (idempotent steps, deterministic event ids, retries,
 * crash recovery) can be exercised on one machine. Parsed from a comma-separated spec such as
 * {@code seed=7,duplicate=0.3,delay=0..200ms,error=0.1,lost=0.1,kill=train-shard:dev.cnai.shard.assigned:2:150ms,
 * kill-on-emit=evaluate:dev.cnai.shard.assigned:2}; see {@link #parse} and the broker README.
 *
 * @param seed makes every random decision reproducible (they are functions of the seed and the delivery, not of
 *        thread timing)
 * @param duplicate probability that a delivery is sent twice
 * @param delayMin shortest delay before each attempt
 * @param delayMax longest delay before each attempt (also bounds how late a duplicate copy goes)
 * @param error probability that an attempt is answered 503 without contacting the subscriber
 * @param lost probability that an attempt's response is thrown away and the attempt treated as a timeout
 * @param kills SIGKILL a managed subscriber while it handles its n-th delivery of a type
 * @param killsOnEmit SIGKILL a managed subscriber when it posts its n-th event of a type
 */
public record Faults(long seed, double duplicate, Duration delayMin, Duration delayMax, double error, double lost,
        List<Kill> kills, List<KillOnEmit> killsOnEmit) {

    /** Environment variable read by {@code serve} when {@code --faults} is not given. */
    public static final String ENV = "CNAI_BROKER_FAULTS";

    /** No faults: the broker behaves normally. */
    public static final Faults NONE = new Faults(0, 0, Duration.ZERO, Duration.ZERO, 0, 0, List.of(), List.of());

    private static final Set<String> KEYS = Set.of("seed", "duplicate", "delay", "error", "lost", "kill",
            "kill-on-emit");

    /**
     * Kill {@code service}'s process (SIGKILL) {@code delay} after the broker sends it its {@code nth} delivery of
     * an event of {@code type} (counted from 1, retries and duplicates included). Fires once.
     */
    public record Kill(String service, String type, int nth, Duration delay) {
        /** Validates. */
        public Kill {
            requireName(service, "kill");
            requireName(type, "kill");
            if (nth < 1 || delay.isNegative()) {
                throw new IllegalArgumentException("kill: nth must be >= 1 and delay >= 0");
            }
        }

        @Override
        public String toString() {
            return "kill=" + service + ":" + type + ":" + nth + ":" + delay.toMillis() + "ms";
        }
    }

    /**
     * Kill {@code service}'s process (SIGKILL) when the ingress receives its {@code nth} event of {@code type}
     * (an event whose {@code source} ends with {@code /service}); that event is not accepted. Fires once.
     */
    public record KillOnEmit(String service, String type, int nth) {
        /** Validates. */
        public KillOnEmit {
            requireName(service, "kill-on-emit");
            requireName(type, "kill-on-emit");
            if (nth < 1) {
                throw new IllegalArgumentException("kill-on-emit: nth must be >= 1");
            }
        }

        @Override
        public String toString() {
            return "kill-on-emit=" + service + ":" + type + ":" + nth;
        }
    }

    /** Validates and copies. */
    public Faults {
        probability("duplicate", duplicate);
        probability("error", error);
        probability("lost", lost);
        if (delayMin.isNegative() || delayMax.compareTo(delayMin) < 0) {
            throw new IllegalArgumentException("delay: need 0 <= min <= max, got " + delayMin.toMillis() + ".."
                    + delayMax.toMillis() + "ms");
        }
        kills = List.copyOf(kills);
        killsOnEmit = List.copyOf(killsOnEmit);
    }

    /** True when any fault is configured. */
    public boolean enabled() {
        return duplicate > 0 || error > 0 || lost > 0 || !delayMax.isZero() || !kills.isEmpty()
                || !killsOnEmit.isEmpty();
    }

    /** Every service named by a {@code kill} or {@code kill-on-emit} entry. */
    public Set<String> killedServices() {
        Set<String> s = new LinkedHashSet<>();
        kills.forEach(k -> s.add(k.service()));
        killsOnEmit.forEach(k -> s.add(k.service()));
        return s;
    }

    /** The spec in the syntax {@link #parse} reads ({@code none} when off). */
    @Override
    public String toString() {
        if (!enabled()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        parts.add("seed=" + seed);
        if (duplicate > 0) {
            parts.add("duplicate=" + duplicate);
        }
        if (!delayMax.isZero()) {
            parts.add("delay=" + delayMin.toMillis() + ".." + delayMax.toMillis() + "ms");
        }
        if (error > 0) {
            parts.add("error=" + error);
        }
        if (lost > 0) {
            parts.add("lost=" + lost);
        }
        kills.forEach(k -> parts.add(k.toString()));
        killsOnEmit.forEach(k -> parts.add(k.toString()));
        return String.join(",", parts);
    }

    /**
     * Parses a spec: comma-separated {@code key=value} entries, in any order.
     * <ul>
     * <li>{@code seed=N} (a long, default 0)</li>
     * <li>{@code duplicate=P}, {@code error=P}, {@code lost=P}: probabilities in [0, 1]</li>
     * <li>{@code delay=A..Bms} (or {@code A..B s}, or one value {@code Bms} meaning {@code 0..B})</li>
     * <li>{@code kill=SERVICE:TYPE:NTH:DELAY} (DELAY like {@code 150ms} or {@code 0}), repeatable</li>
     * <li>{@code kill-on-emit=SERVICE:TYPE:NTH}, repeatable</li>
     * </ul>
     * Null, blank, {@code none} and {@code off} mean no faults.
     *
     * @throws IllegalArgumentException naming the bad entry and what was expected
     */
    public static Faults parse(String spec) {
        if (spec == null || spec.isBlank() || spec.trim().equalsIgnoreCase("none")
                || spec.trim().equalsIgnoreCase("off")) {
            return NONE;
        }
        long seed = 0;
        double duplicate = 0;
        double error = 0;
        double lost = 0;
        Duration min = Duration.ZERO;
        Duration max = Duration.ZERO;
        List<Kill> kills = new ArrayList<>();
        List<KillOnEmit> onEmit = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String raw : spec.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw bad(entry, "expected key=value with key one of " + new java.util.TreeSet<>(KEYS));
            }
            String key = entry.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = entry.substring(eq + 1).trim();
            if (!KEYS.contains(key)) {
                throw bad(entry, "unknown fault '" + key + "'; known: " + new java.util.TreeSet<>(KEYS));
            }
            if (!key.startsWith("kill") && !seen.add(key)) {
                throw bad(entry, "'" + key + "' given twice");
            }
            try {
                switch (key) {
                    case "seed" -> seed = Long.parseLong(value);
                    case "duplicate" -> duplicate = parseProbability(value);
                    case "error" -> error = parseProbability(value);
                    case "lost" -> lost = parseProbability(value);
                    case "delay" -> {
                        int dots = value.indexOf("..");
                        if (dots < 0) {
                            max = parseDuration(value, null);
                        } else {
                            String unit = unitOf(value.substring(dots + 2));
                            min = parseDuration(value.substring(0, dots), unit);
                            max = parseDuration(value.substring(dots + 2), null);
                        }
                        if (max.compareTo(min) < 0) {
                            throw new IllegalArgumentException("the minimum is larger than the maximum");
                        }
                    }
                    case "kill" -> {
                        String[] p = value.split(":", -1);
                        if (p.length != 4) {
                            throw new IllegalArgumentException("expected SERVICE:TYPE:NTH:DELAY");
                        }
                        kills.add(new Kill(p[0].trim(), p[1].trim(), parseNth(p[2]), parseDuration(p[3], null)));
                    }
                    case "kill-on-emit" -> {
                        String[] p = value.split(":", -1);
                        if (p.length != 3) {
                            throw new IllegalArgumentException("expected SERVICE:TYPE:NTH");
                        }
                        onEmit.add(new KillOnEmit(p[0].trim(), p[1].trim(), parseNth(p[2])));
                    }
                    default -> throw new IllegalStateException(key);
                }
            } catch (NumberFormatException e) {
                throw bad(entry, "not a number: " + e.getMessage() + hint(key));
            } catch (IllegalArgumentException e) {
                throw bad(entry, e.getMessage() + hint(key));
            }
        }
        return new Faults(seed, duplicate, min, max, error, lost, kills, onEmit);
    }

    private static String hint(String key) {
        return switch (key) {
            case "seed" -> " (seed=N, a whole number)";
            case "duplicate", "error", "lost" -> " (" + key + "=P with 0 <= P <= 1, e.g. " + key + "=0.1)";
            case "delay" -> " (delay=A..Bms, e.g. delay=0..200ms, or delay=1..2s)";
            case "kill" -> " (kill=SERVICE:TYPE:NTH:DELAY, e.g. kill=train-shard:dev.cnai.shard.assigned:2:150ms)";
            case "kill-on-emit" -> " (kill-on-emit=SERVICE:TYPE:NTH, e.g. "
                    + "kill-on-emit=evaluate:dev.cnai.shard.assigned:2)";
            default -> "";
        };
    }

    private static IllegalArgumentException bad(String entry, String why) {
        return new IllegalArgumentException("invalid fault spec entry '" + entry + "': " + why);
    }

    private static double parseProbability(String v) {
        double p = Double.parseDouble(v);
        probability("probability", p);
        return p;
    }

    private static void probability(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1, got " + p);
        }
    }

    private static int parseNth(String v) {
        int n = Integer.parseInt(v.trim());
        if (n < 1) {
            throw new IllegalArgumentException("NTH counts from 1, got " + n);
        }
        return n;
    }

    private static String unitOf(String v) {
        String t = v.trim();
        if (t.endsWith("ms")) {
            return "ms";
        }
        if (t.endsWith("s")) {
            return "s";
        }
        return null;
    }

    /** {@code 150ms}, {@code 2s}, or a bare {@code 0}; a bare number takes {@code defaultUnit}. */
    private static Duration parseDuration(String v, String defaultUnit) {
        String t = v.trim();
        String unit = unitOf(t);
        String num = unit == null ? t : t.substring(0, t.length() - unit.length()).trim();
        if (unit == null) {
            unit = defaultUnit;
        }
        if (num.isEmpty()) {
            throw new IllegalArgumentException("missing number in duration '" + v + "'");
        }
        long n = Long.parseLong(num);
        if (n < 0) {
            throw new IllegalArgumentException("durations cannot be negative: '" + v + "'");
        }
        if (unit == null) {
            if (n == 0) {
                return Duration.ZERO;
            }
            throw new IllegalArgumentException("duration '" + v + "' needs a unit, ms or s");
        }
        return unit.equals("ms") ? Duration.ofMillis(n) : Duration.ofSeconds(n);
    }

    private static void requireName(String s, String what) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(what + ": SERVICE and TYPE must not be empty");
        }
    }
}
