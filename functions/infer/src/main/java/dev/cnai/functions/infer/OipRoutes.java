package dev.cnai.functions.infer;

import dev.cnai.errors.CnaiException;
import dev.cnai.events.TraceContext;
import dev.cnai.functions.support.DeclaredSize;
import dev.cnai.functions.support.ErrorMapping;
import dev.cnai.functions.support.FailureReporter;
import dev.cnai.functions.support.FunctionConfig;
import dev.cnai.serving.OipCodec;
import dev.cnai.serving.ServingException;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Open Inference Protocol v2 REST routes beside the Funqy CloudEvent route on {@code POST /}: adapt HTTP,
 * delegate to {@link OipService}. Errors are {@code {"error": "..."}} with the status {@link ErrorMapping}
 * gives their kind.
 */
@ApplicationScoped
public class OipRoutes {
    private static final String JSON = "application/json";

    private final OipService oip;
    private final FunctionConfig config;
    private final String version;

    public OipRoutes(OipService oip, FunctionConfig config,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        this.oip = oip;
        this.config = config;
        this.version = version;
    }

    void install(@Observes Router router) {
        router.get("/v2/health/live").handler(ctx -> send(ctx, 200, OipCodec.flag("live", true, null)));
        router.get("/v2/health/ready").handler(ctx -> {
            boolean ready = oip.ready();
            send(ctx, ready ? 200 : 503, OipCodec.flag("ready", ready, null));
        });
        router.getWithRegex("/v2/?").handler(
                ctx -> send(ctx, 200, OipCodec.serverMetadata("cnai-" + config.function(), version)));
        router.get("/v2/models/:name").handler(answer(ctx -> oip.metadata(ctx.pathParam("name"), null)));
        router.get("/v2/models/:name/versions/:version")
                .handler(answer(ctx -> oip.metadata(ctx.pathParam("name"), ctx.pathParam("version"))));
        router.get("/v2/models/:name/ready").handler(ctx -> modelReady(ctx, null));
        router.get("/v2/models/:name/versions/:version/ready").handler(ctx -> modelReady(ctx, ctx.pathParam("version")));
        // before any body handler (Quarkus's runs at ROUTE_ORDER_BODY_HANDLER): a declared size over the limit is
        // refused before a byte of the body is buffered
        router.post("/v2/models/*").order(RouteConstants.ROUTE_ORDER_HEADERS).handler(this::checkDeclaredSize);
        // preallocated from Content-Length: growing the body buffer chunk by chunk was ~9 % of allocations
        router.post("/v2/models/*").handler(BodyHandler.create(false).setBodyLimit(config.events().maxBytes())
                .setPreallocateBodyBuffer(true));
        router.post("/v2/models/:name/infer").handler(ctx -> infer(ctx, null));
        router.post("/v2/models/:name/versions/:version/infer").handler(ctx -> infer(ctx, ctx.pathParam("version")));
    }

    private void modelReady(RoutingContext ctx, String version) {
        try {
            boolean ready = oip.modelReady(ctx.pathParam("name"), version);
            send(ctx, ready ? 200 : 503, OipCodec.flag("ready", ready, ctx.pathParam("name")));
        } catch (CnaiException e) {
            fail(ctx, e);
        }
    }

    /** Refuses a {@code Content-Length} over {@code cnai.events.max-bytes} with 413 and the limit. */
    private void checkDeclaredSize(RoutingContext ctx) {
        long size = DeclaredSize.of(ctx);
        if (size > config.events().maxBytes()) {
            fail(ctx, ServingException.tooLarge(size, config.events().maxBytes()));
        } else {
            ctx.next();
        }
    }

    private void infer(RoutingContext ctx, String version) {
        try {
            Buffer body = ctx.body().buffer();
            // the HTTP layer's own limit is Quarkus's max-body-size (10 MB); infer's is the configured one
            if (body != null && body.length() > config.events().maxBytes()) {
                throw ServingException.tooLarge(body.length(), config.events().maxBytes());
            }
            TraceContext caller = TraceContext.of(ctx.request().getHeader(TraceContext.TRACEPARENT),
                    ctx.request().getHeader(TraceContext.TRACESTATE)).orElse(null);
            oip.infer(ctx.pathParam("name"), version, body == null ? null : body.getBytes(), caller).subscribe().with(
                    out -> send(ctx, 200, out),
                    t -> {
                        if (t instanceof CnaiException e) {
                            fail(ctx, e);
                        } else {
                            ctx.fail(t);
                        }
                    });
        } catch (CnaiException e) {
            fail(ctx, e);
        }
    }

    private static io.vertx.core.Handler<RoutingContext> answer(Function<RoutingContext, byte[]> body) {
        return ctx -> {
            try {
                send(ctx, 200, body.apply(ctx));
            } catch (CnaiException e) {
                fail(ctx, e);
            }
        };
    }

    private static void fail(RoutingContext ctx, CnaiException e) {
        FailureReporter.respond(ctx, ErrorMapping.status(e.kind()), e.getMessage());
    }

    private static void send(RoutingContext ctx, int status, byte[] body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(Buffer.buffer(body));
    }
}
