package dev.cnai.broker;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A tiny real subscriber process for the scale-to-zero and fault tests:
 * {@code TinyFunction PORT RECEIVED_FILE [START_DELAY_MS [WORK_MS [EMIT_TYPE]]]}.
 * It waits the start delay (a slow start), then listens on loopback: {@code GET /q/health/live} and {@code /q/health/ready} answer 200, and
 * every POST appends its {@code ce-id}, {@code K_SINK} and pid to the file, works for WORK_MS, and, when EMIT_TYPE is
 * given, posts a CloudEvent {@code emit-<ce-id>} of that type with source {@code /cnai/tiny} to {@code K_SINK}
 * (answering 503 when the sink refuses it, as a function's EventSink would); then it answers 202. It runs until
 * terminated.
 */
public final class TinyFunction {
    private TinyFunction() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path received = Path.of(args[1]);
        long delay = args.length > 2 ? Long.parseLong(args[2]) : 0;
        long work = args.length > 3 ? Long.parseLong(args[3]) : 0;
        String emitType = args.length > 4 ? args[4] : null;
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        Thread.sleep(delay);
        String sink = System.getenv("K_SINK");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        for (String health : new String[] {"/q/health/live", "/q/health/ready"}) {
            server.createContext(health, ex -> {
                ex.sendResponseHeaders(200, -1);
                ex.close();
            });
        }
        server.createContext("/", ex -> {
            if ("POST".equals(ex.getRequestMethod())) {
                ex.getRequestBody().readAllBytes();
                String line = ex.getRequestHeaders().getFirst("ce-id") + " " + sink + " "
                        + ProcessHandle.current().pid() + "\n";
                synchronized (TinyFunction.class) {
                    Files.writeString(received, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                }
                int status = 202;
                try {
                    Thread.sleep(work);
                    if (emitType != null) {
                        var resp = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(sink))
                                .header("ce-specversion", "1.0")
                                .header("ce-id", "emit-" + ex.getRequestHeaders().getFirst("ce-id"))
                                .header("ce-source", "/cnai/tiny").header("ce-type", emitType)
                                .header("Content-Type", "application/json")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                                java.net.http.HttpResponse.BodyHandlers.discarding());
                        status = resp.statusCode() / 100 == 2 ? 202 : 503;
                    }
                } catch (InterruptedException | IOException e) {
                    status = 503;
                }
                ex.sendResponseHeaders(status, -1);
            } else {
                ex.sendResponseHeaders(404, -1);
            }
            ex.close();
        });
        server.start();
        System.out.println("tiny function listening on " + port);
    }

    /** For tests: a free loopback port. */
    static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
