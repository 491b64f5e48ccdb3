package dev.cnai.broker;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

/** A real HTTP subscriber on 127.0.0.1 that records what it receives and answers as told. */
final class TestSubscriber implements AutoCloseable {

    /** One received request: path, headers (lower-case names) and body. */
    record Received(String path, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase());
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** What to answer: status, extra headers, body. */
    record Answer(int status, Map<String, String> headers, String body) {
        static Answer of(int status) {
            return new Answer(status, Map.of(), "");
        }

        static Answer of(int status, String body) {
            return new Answer(status, Map.of("Content-Type", "text/plain"), body);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile IntFunction<Answer> responder;

    /** Starts a subscriber; {@code responder} gets the 1-based request number. */
    TestSubscriber(IntFunction<Answer> responder) throws IOException {
        this.responder = responder;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(executor);
        server.createContext("/", ex -> {
            try (ex) {
                byte[] body = ex.getRequestBody().readAllBytes();
                Map<String, String> h = new TreeMap<>();
                ex.getRequestHeaders().forEach((k, v) -> h.put(k.toLowerCase(), String.join(",", v)));
                received.add(new Received(ex.getRequestURI().getPath(), h, body));
                Answer a = this.responder.apply(received.size());
                a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
                byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
                if (out.length > 0) {
                    try (OutputStream os = ex.getResponseBody()) {
                        os.write(out);
                    }
                }
            }
        });
        server.start();
    }

    /** A subscriber that always answers {@code status}. */
    static TestSubscriber answering(int status) throws IOException {
        return new TestSubscriber(n -> Answer.of(status));
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Waits (generously) until at least {@code n} requests arrived; fails the test otherwise. */
    List<Received> await(int n) {
        Polling.until(() -> received.size() >= n, Duration.ofSeconds(20),
                () -> "expected " + n + " requests, got " + received.size());
        return received;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
