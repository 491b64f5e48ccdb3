package dev.cnai.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.cnai.events.TraceContext;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK {@link SpanExport} creates sends real HTTP: OTLP/HTTP protobuf to {@code /v1/traces} and Zipkin v2 JSON,
 * received here by a JDK HTTP server; without an endpoint there is no SDK at all.
 */
class SpanExportTest {
    record Received(String path, String contentType, String header, byte[] body) {
        boolean contains(String s) {
            return new String(body, StandardCharsets.ISO_8859_1).contains(s);
        }
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    HttpServer server;
    URI base;

    @BeforeEach
    void receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            if ("gzip".equals(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
                body = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
            }
            received.add(new Received(ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Content-Type"),
                    ex.getRequestHeaders().getFirst("X-Token"), body));
            boolean otlp = ex.getRequestURI().getPath().endsWith("/v1/traces");
            byte[] out = new byte[0];
            ex.getResponseHeaders().add("Content-Type", otlp ? "application/x-protobuf" : "application/json");
            ex.sendResponseHeaders(otlp ? 200 : 202, out.length == 0 ? -1 : out.length);
            ex.close();
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void withoutAnEndpointThereIsNoSdk() {
        SpanExport none = SpanExport.none("infer");
        assertFalse(none.enabled());
        OpenTelemetry otel = none.open();
        assertSame(OpenTelemetry.noop(), otel);
        SpanExport.close(otel); // nothing to close
        new Tracing(otel).start("x", SpanKind.SERVER).close();
        assertTrue(received.isEmpty());
    }

    @Test
    void otlpHttpSpansReachTheReceiverWithHeadersAndTheServiceName() throws Exception {
        SpanExport export = new SpanExport("infer", Optional.of(base), SpanExport.parseHeaders("X-Token=a%20b"),
                Optional.empty(), 1.0, Duration.ofMillis(100));
        assertEquals(URI.create(base + "/v1/traces"), export.otlpTracesUrl().orElseThrow());
        OpenTelemetry otel = export.open();
        TraceContext caller = TraceContext.of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", null)
                .orElseThrow();
        StepSpan span = new Tracing(otel).start("infer predict", SpanKind.SERVER, caller).model("mnist-mlp", "v3");
        assertEquals(caller.traceId(), span.context().orElseThrow().traceId(), "continues the caller's trace");
        span.close();
        SpanExport.close(otel); // flushes
        Received r = received.stream().filter(x -> x.path().equals("/v1/traces")).findFirst()
                .orElseThrow(() -> new AssertionError("no OTLP request: " + received));
        assertEquals("application/x-protobuf", r.contentType());
        assertEquals("a b", r.header());
        // protobuf strings and ids are raw bytes on the wire (no decoder here: OpenTelemetry's proto classes need a
        // protobuf runtime newer than the one ONNX Runtime's model classes use): name, service, attribute, ids
        assertTrue(r.contains("infer predict") && r.contains("service.name") && r.contains("mnist-mlp")
                && r.contains(Tracing.SCOPE), "OTLP body");
        assertTrue(r.contains(new String(HexFormat.of().parseHex(caller.traceId()), StandardCharsets.ISO_8859_1))
                && r.contains(new String(HexFormat.of().parseHex(caller.spanId()), StandardCharsets.ISO_8859_1)),
                "the caller's trace id and (as parent) span id");
    }

    @Test
    void zipkinSpansReachTheIntake() {
        SpanExport export = new SpanExport("evaluate", Optional.empty(), Map.of(),
                Optional.of(URI.create(base + "/api/v2/spans")), 1.0, Duration.ofMillis(100));
        OpenTelemetry otel = export.open();
        new Tracing(otel).consume("evaluate", "dev.cnai.shard.trained", "e-1", "run-7", null).close();
        SpanExport.close(otel);
        Received r = received.stream().filter(x -> x.path().equals("/api/v2/spans")).findFirst()
                .orElseThrow(() -> new AssertionError("no Zipkin request: " + received));
        assertTrue(r.contains("\"name\":\"evaluate shard.trained\"") && r.contains("\"serviceName\":\"evaluate\"")
                && r.contains("run-7"), new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aRatioOfZeroRecordsNoNewTraceButKeepsASampledParent() {
        SpanExport export = new SpanExport("infer", Optional.of(base), Map.of(), Optional.empty(), 0.0,
                Duration.ofMillis(100));
        OpenTelemetry otel = export.open();
        Tracing tracing = new Tracing(otel);
        tracing.start("root", SpanKind.SERVER).close();
        tracing.start("child", SpanKind.SERVER, TraceContext.of(
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", null).orElseThrow()).close();
        SpanExport.close(otel);
        assertTrue(received.stream().noneMatch(r -> r.contains("root")), "an unsampled new trace was exported");
        assertTrue(received.stream().anyMatch(r -> r.contains("child")), "the sampled parent's decision was not kept");
    }

    @Test
    void badSettingsAreRefusedWithTheKeyToFix() {
        String msg = assertThrows(IllegalArgumentException.class, () -> new SpanExport("infer",
                Optional.of(URI.create("collector:4318")), Map.of(), Optional.empty(), 1.0, Duration.ofSeconds(1)))
                .getMessage();
        assertTrue(msg.contains("cnai.tracing.otlp-endpoint") && msg.contains("http://collector:4318"), msg);
        msg = assertThrows(IllegalArgumentException.class, () -> new SpanExport("infer", Optional.empty(), Map.of(),
                Optional.empty(), 1.5, Duration.ofSeconds(1))).getMessage();
        assertTrue(msg.contains("cnai.tracing.sample-ratio"), msg);
        msg = assertThrows(IllegalArgumentException.class, () -> SpanExport.parseHeaders("authorization")).getMessage();
        assertTrue(msg.contains("key=value"), msg);
        assertEquals(Map.of("a", "1", "b", "x=y"), SpanExport.parseHeaders(" a=1, ,b=x%3Dy"));
        assertEquals(URI.create("http://c:4318/v1/traces"), new SpanExport("s",
                Optional.of(URI.create("http://c:4318/v1/traces")), Map.of(), Optional.empty(), 1, Duration.ofSeconds(1))
                .otlpTracesUrl().orElseThrow());
    }
}
