package dev.cnai.functions.support;

import com.fasterxml.jackson.core.JacksonException;
import dev.cnai.errors.CnaiException;
import dev.cnai.events.EventTypes;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.events.PipelineFailed;
import io.quarkus.funqy.runtime.ApplicationException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;

/**
 * Turns any failure of a request into {@code {"error": "..."}} with the status of its error kind,
 * never a stack trace. When a valid event could not be processed for a reason retrying cannot fix
 * (a 4xx), it also emits {@code dev.cnai.pipeline.failed} so the run's watchers learn why.
 */
@ApplicationScoped
public class FailureReporter {
    private static final Logger LOG = Logger.getLogger(FailureReporter.class);

    private final FunctionConfig config;
    private final EventSink sink;

    public FailureReporter(FunctionConfig config, EventSink sink) {
        this.config = config;
        this.sink = sink;
    }

    void handle(RoutingContext ctx) {
        Throwable t = ctx.failure();
        while ((t instanceof CompletionException || t instanceof java.lang.reflect.InvocationTargetException
                || t instanceof ApplicationException) && t.getCause() != null) {
            t = t.getCause();
        }
        int status;
        String message;
        String kind;
        if (t instanceof CnaiException e) {
            status = ErrorMapping.status(e.kind());
            message = e.getMessage();
            kind = e.kind().name();
        } else if (t instanceof JacksonException e) {
            status = 400;
            message = "cannot read event data: " + e.getOriginalMessage();
            kind = "INVALID_INPUT";
        } else if (t == null && ctx.statusCode() == 413) {
            // Quarkus's body handler cut off a body over quarkus.http.limits.max-body-size (= cnai.events.max-bytes)
            status = 413;
            message = "request body exceeds the limit of " + config.events().maxBytes()
                    + " bytes (cnai.events.max-bytes); events carry references to data, inference requests fewer rows";
            kind = "PAYLOAD_TOO_LARGE";
        } else if (t == null) {
            status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
            message = "request failed with HTTP " + status + " (" + ctx.request().method() + " " + ctx.request().path() + ")";
            kind = status < 500 ? "INVALID_INPUT" : "INTERNAL";
        } else {
            status = 500;
            message = "internal error in " + config.function() + " (" + t.getClass().getSimpleName() + ": "
                    + t.getMessage() + "); the event will be retried, see the function's log";
            kind = "INTERNAL";
        }
        if (status >= 500) {
            LOG.errorf(t, "%s failed: %s", config.function(), message);
        } else {
            LOG.warnf("%s rejected a request (%d): %s", config.function(), status, message);
        }
        IncomingEvent in = ctx.get(IncomingEvent.KEY);
        if (in != null && status < 500 && config.events().emitFailures()) {
            reportFailed(in, kind, message);
        }
        respond(ctx, status, message);
    }

    private void reportFailed(IncomingEvent in, String kind, String reason) {
        String run = in.data().runId() != null ? in.data().runId() : in.subject();
        PipelineFailed f = new PipelineFailed(run, config.function(), kind, reason, in.type(), in.id());
        try {
            String cause = Integer.toHexString((in.source() + "/" + in.id()).hashCode());
            sink.emit(new OutgoingEvent(EventTypes.PIPELINE_FAILED, run,
                    (run == null ? "unknown" : run) + "/" + config.function() + "/" + cause + "/pipeline.failed", f, in.trace()));
        } catch (RuntimeException e) {
            LOG.warnf("could not emit pipeline.failed for %s: %s", in.id(), e.getMessage());
        }
    }

    /** Ends the request with a JSON error body (and {@code Retry-After} where {@link ErrorMapping} gives one). */
    public static void respond(RoutingContext ctx, int status, String message) {
        if (ctx.response().ended()) {
            return;
        }
        ErrorMapping.retryAfterSeconds(status).ifPresent(s -> ctx.response().putHeader("Retry-After", String.valueOf(s)));
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", message).encode());
    }
}
