package dev.cnai.functions.support;

import io.vertx.ext.web.RoutingContext;

/**
 * The body size a request declares, read before any body handler runs, so the POST routes (the CloudEvent route and
 * infer's Open Inference Protocol routes) refuse a body over {@code cnai.events.max-bytes} before buffering a byte.
 */
public final class DeclaredSize {
    private DeclaredSize() {
    }

    /**
     * The request's {@code Content-Length}, or -1 when it has none (a chunked body, which Quarkus's body handler
     * stops at {@code quarkus.http.limits.max-body-size}) or one that is not a number (Netty's decoder refuses that).
     */
    public static long of(RoutingContext ctx) {
        String declared = ctx.request().getHeader("Content-Length");
        if (declared == null) {
            return -1;
        }
        try {
            return Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
