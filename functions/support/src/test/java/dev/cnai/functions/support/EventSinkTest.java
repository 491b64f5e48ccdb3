package dev.cnai.functions.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.cnai.errors.CnaiException;
import dev.cnai.errors.ErrorKind;
import dev.cnai.events.EventData;
import dev.cnai.events.OutgoingEvent;
import dev.cnai.events.TraceContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link EventSink} retries a broker that pushes back, within its deadline, and fails the same way as before. */
class EventSinkTest {

    /** What the fake broker answers to its n-th post (1-based): status and Retry-After (or null). */
    private record Answer(int status, String retryAfter) {
    }

    private HttpServer server;
    private final List<Long> arrivals = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private String broker(IntFunction<Answer> answers) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            sources.add(ex.getRequestHeaders().getFirst("ce-source"));
            traceHeaders.add(ex.getRequestHeaders().getFirst("ce-traceparent") + " " + ex.getRequestHeaders().getFirst("ce-tracestate")
                    + " " + ex.getRequestHeaders().getFirst("traceparent"));
            arrivals.add(System.nanoTime());
            Answer a = answers.apply(arrivals.size());
            if (a.retryAfter() != null) {
                ex.getResponseHeaders().set("Retry-After", a.retryAfter());
            }
            byte[] body = a.status() / 100 == 2 ? new byte[0] : "{\"error\":\"busy\"}".getBytes();
            ex.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private final List<String> sources = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> traceHeaders = new java.util.concurrent.CopyOnWriteArrayList<>();

    private EventSink sink(String url, Duration deadline) {
        FunctionConfig.Sink sink = new FunctionConfig.Sink() {
            @Override
            public Optional<String> url() {
                return Optional.ofNullable(url);
            }

            @Override
            public Duration timeout() {
                return Duration.ofSeconds(2);
            }

            @Override
            public Duration retryDeadline() {
                return deadline;
            }
        };
        FunctionConfig cfg = new FunctionConfig() {
            @Override
            public String function() {
                return "test";
            }

            @Override
            public List<String> accepts() {
                return List.of();
            }

            @Override
            public String storageRoot() {
                return ".cnai/store";
            }

            @Override
            public String registry() {
                return ".cnai/registry";
            }

            @Override
            public Sink sink() {
                return sink;
            }

            @Override
            public Events events() {
                return null;
            }

            @Override
            public Energy energy() {
                return null;
            }

            @Override
            public Tracing tracing() {
                return null;
            }
        };
        return new EventSink(cfg, metrics);
    }

    private record Data(String runId) implements EventData {
    }

    private static OutgoingEvent event() {
        return OutgoingEvent.of("dev.cnai.test.ping", new Data("run-1"), "a");
    }

    private double emitted() {
        var c = metrics.find("cnai.events.emitted").counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void a429IsRetriedAfterRetryAfterAndThenSucceeds() throws Exception {
        String url = broker(n -> n == 1 ? new Answer(429, "1") : n == 2 ? new Answer(503, null) : new Answer(202, null));
        sink(url, Duration.ofSeconds(10)).emit(event());
        assertEquals(3, arrivals.size());
        long waitedMs = (arrivals.get(1) - arrivals.get(0)) / 1_000_000;
        assertTrue(waitedMs >= 900, "Retry-After: 1 honoured, waited " + waitedMs + " ms");
        assertEquals(1.0, emitted());
        assertEquals(List.of("/cnai/test", "/cnai/test", "/cnai/test"), sources,
                "the source is stamped from the function's one configured name");
    }

    @Test
    void theTraceContextGoesOutAsTheDistributedTracingExtensionAndTheHopsTraceHeader() throws Exception {
        String url = broker(n -> new Answer(202, null));
        String tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        EventSink s = sink(url, Duration.ofSeconds(5));
        s.emit(event().withTrace(new TraceContext(tp, "rojo=1")));
        s.emit(event());
        assertEquals(List.of(tp + " rojo=1 " + tp, "null null null"), traceHeaders);
        var reply = s.reply(event().withTrace(new TraceContext(tp, null)));
        assertEquals(java.util.Map.of("traceparent", tp), reply.extensions());
        assertEquals(event().id(), reply.id(), "the trace context is not part of the id");
    }

    @Test
    void aBrokerThatKeepsPushingBackFailsAsUnavailableAtTheDeadline() throws Exception {
        String url = broker(n -> new Answer(503, null));
        long t0 = System.nanoTime();
        CnaiException e = assertThrows(CnaiException.class, () -> sink(url, Duration.ofMillis(700)).emit(event()));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("answered 503") && e.getMessage().contains("gave up after"),
                e.getMessage());
        assertTrue(arrivals.size() >= 3, "retried with backoff: " + arrivals.size());
        assertTrue(ms < 3000, "stopped near the deadline: " + ms + " ms");
        assertEquals(0.0, emitted());
    }

    @Test
    void otherAnswersAreNotRetried() throws Exception {
        String url = broker(n -> new Answer(400, null));
        CnaiException e = assertThrows(CnaiException.class, () -> sink(url, Duration.ofSeconds(10)).emit(event()));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("answered 400"), e.getMessage());
        assertEquals(1, arrivals.size());
    }

    @Test
    void anUnreachableSinkIsRetriedThenUnavailable() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CnaiException e = assertThrows(CnaiException.class,
                () -> sink("http://127.0.0.1:" + port + "/", Duration.ofSeconds(2)).emit(event()));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().startsWith("cannot reach event sink"), e.getMessage());
        assertTrue(e.getMessage().contains("attempts"), e.getMessage());
    }

    @Test
    void retryAfterIsReadAsSecondsOrADateAndOtherwiseBackoffWithJitter() {
        assertEquals(2000, EventSink.retryAfterMillis("2", 100));
        long date = EventSink.retryAfterMillis(java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(3)), 100);
        assertTrue(date > 1000 && date <= 3000, "date " + date);
        for (int i = 0; i < 100; i++) {
            long j = EventSink.retryAfterMillis(null, 400);
            assertTrue(j >= 200 && j <= 400, "jitter " + j);
            assertTrue(EventSink.retryAfterMillis("soon", 400) <= 400);
        }
    }
}
