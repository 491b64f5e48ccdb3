package dev.cnai.events;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CloudEvents Distributed Tracing extension of an event: its {@code traceparent} (required by the extension) and
 * {@code tracestate} (optional) attributes, in the W3C Trace Context formats (traceparent
 * {@code version-traceid-parentid-flags}, lower-case hex). It names the span that produced the event, so the consumer's
 * span continues the same trace. It is an extension attribute, never part of the event id: a redelivered input
 * re-emits events with the same ids and, possibly, another trace context.
 *
 * @param traceparent a valid W3C traceparent
 * @param tracestate the W3C tracestate that travels with it, or null
 */
public record TraceContext(String traceparent, String tracestate) {
    /** The extension attribute names (in HTTP binary mode the headers {@code ce-traceparent}, {@code ce-tracestate}). */
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    public TraceContext {
        if (!valid(traceparent)) {
            throw new IllegalArgumentException("not a W3C traceparent: " + traceparent);
        }
        tracestate = tracestate == null || tracestate.isBlank() ? null : tracestate.trim();
    }

    /** The context in these attributes, or empty when there is no valid traceparent (an invalid one is ignored, as W3C asks). */
    public static Optional<TraceContext> of(String traceparent, String tracestate) {
        return valid(traceparent) ? Optional.of(new TraceContext(traceparent, tracestate)) : Optional.empty();
    }

    /** The context in an event's extension attributes ({@code traceparent}, {@code tracestate}), if any. */
    public static Optional<TraceContext> of(Map<String, ?> extensions) {
        if (extensions == null) {
            return Optional.empty();
        }
        Object tp = extensions.get(TRACEPARENT);
        Object ts = extensions.get(TRACESTATE);
        return of(tp == null ? null : tp.toString(), ts == null ? null : ts.toString());
    }

    /** The 32-hex-digit trace id. */
    public String traceId() {
        return traceparent.substring(3, 35);
    }

    /** The 16-hex-digit id of the span that produced the event. */
    public String spanId() {
        return traceparent.substring(36, 52);
    }

    /** Whether the producer sampled its span (the sampled flag). */
    public boolean sampled() {
        return (Integer.parseInt(traceparent.substring(53, 55), 16) & 1) == 1;
    }

    /** The extension attributes to put on an event: traceparent, and tracestate when there is one. */
    public Map<String, String> attributes() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(TRACEPARENT, traceparent);
        if (tracestate != null) {
            m.put(TRACESTATE, tracestate);
        }
        return m;
    }

    /**
     * W3C Trace Context §3.2: {@code 00-<32 hex>-<16 hex>-<2 hex>}, lower case, neither id all zeros. A later version
     * (not {@code ff}) is read by the same first 55 characters, followed by nothing or by {@code -}.
     */
    static boolean valid(String tp) {
        if (tp == null || tp.length() < 55) {
            return false;
        }
        String version = tp.substring(0, 2);
        if (!hex(version) || version.equals("ff") || (version.equals("00") ? tp.length() != 55
                : tp.length() > 55 && tp.charAt(55) != '-')) {
            return false;
        }
        if (tp.charAt(2) != '-' || tp.charAt(35) != '-' || tp.charAt(52) != '-') {
            return false;
        }
        String trace = tp.substring(3, 35);
        String span = tp.substring(36, 52);
        return hex(trace) && hex(span) && hex(tp.substring(53, 55)) && !zeros(trace) && !zeros(span);
    }

    private static boolean hex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean zeros(String s) {
        return s.chars().allMatch(c -> c == '0');
    }
}
