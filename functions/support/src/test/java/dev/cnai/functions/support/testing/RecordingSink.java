package dev.cnai.functions.support.testing;

import com.sun.net.httpserver.HttpServer;
import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** A real HTTP endpoint on loopback standing in for K_SINK in tests: it records every CloudEvent posted to it. */
public final class RecordingSink implements AutoCloseable {
    private final HttpServer server;
    private final List<CloudEvent> events = new ArrayList<>();

    public RecordingSink() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", ex -> {
            Map<String, String> headers = new HashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
            byte[] body = ex.getRequestBody().readAllBytes();
            CloudEvent ce = HttpMessageFactory.createReader(headers, body).toEvent();
            synchronized (events) {
                events.add(ce);
                events.notifyAll();
            }
            ex.sendResponseHeaders(202, -1);
            ex.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    public List<CloudEvent> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    public List<CloudEvent> ofType(String type) {
        return events().stream().filter(e -> e.getType().equals(type)).toList();
    }

    public void clear() {
        synchronized (events) {
            events.clear();
        }
    }

    /** Waits until {@code count} recorded events match, or fails after {@code timeout}. */
    public List<CloudEvent> await(Predicate<CloudEvent> match, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (events) {
            while (true) {
                List<CloudEvent> found = events.stream().filter(match).toList();
                if (found.size() >= count) {
                    return found;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + count + " matching events, got " + found.size() + ": " + events);
                }
                events.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
