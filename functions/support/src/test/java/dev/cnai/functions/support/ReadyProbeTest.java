package dev.cnai.functions.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image builds' readiness wait and training requests, against a real HTTP server. */
class ReadyProbeTest {
    private HttpServer server;
    private final AtomicInteger readyCalls = new AtomicInteger();
    private final AtomicInteger posts = new AtomicInteger();
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private String base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // ready from the third call on, as a function finishing its start-up
        server.createContext("/ready", ex -> answer(ex, readyCalls.incrementAndGet() >= 3 ? 200 : 503));
        server.createContext("/never", ex -> answer(ex, 503));
        server.createContext("/infer", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            posts.incrementAndGet();
            answer(ex, new String(body, StandardCharsets.UTF_8).contains("\"inputs\"") ? 200 : 400);
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void answer(com.sun.net.httpserver.HttpExchange ex, int status) throws IOException {
        ex.sendResponseHeaders(status, -1);
        ex.close();
    }

    private int probe(String... args) throws InterruptedException {
        return ReadyProbe.run(args, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @Test
    void waitsForReadinessThenPostsEveryRequest(@TempDir Path dir) throws Exception {
        Path body = Files.writeString(dir.resolve("req.json"), "{\"inputs\":[]}");
        assertEquals(0, probe(base + "/ready", "10", "/ready", "--post", "/infer", body.toString(), "25"), log.toString());
        assertTrue(readyCalls.get() >= 3, "polled until ready");
        assertEquals(25, posts.get());
        assertTrue(log.toString().contains("POST " + base + "/infer -> 200 x 25"), log.toString());
    }

    @Test
    void aRefusedTrainingRequestFailsTheProbe(@TempDir Path dir) throws Exception {
        Path body = Files.writeString(dir.resolve("bad.json"), "{}");
        assertEquals(1, probe(base + "/ready", "--post", "/infer", body.toString(), "5"));
        assertEquals(1, posts.get(), "stops at the first refusal");
        assertTrue(log.toString().contains("HTTP 400 (request 1 of 5)"), log.toString());
    }

    @Test
    void notReadyInTimeFailsWithTheLastAnswer() throws Exception {
        assertEquals(1, probe(base + "/never", "1"));
        assertTrue(log.toString().contains("not ready within 1 s (last: HTTP 503)"), log.toString());
    }

    @Test
    void incompletePostIsAUsageError() throws Exception {
        assertEquals(2, probe(base + "/ready", "--post", "/infer"));
        assertEquals(2, probe());
    }
}
