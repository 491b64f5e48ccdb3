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
 * A tiny real subscriber process for the scale-to-zero tests: {@code TinyFunction PORT RECEIVED_FILE [START_DELAY_MS]}.
 * It waits the start delay (a slow start), then listens on loopback: {@code GET /q/health/live} answers 200, and
 * every POST appends its {@code ce-id} and {@code K_SINK} to the file and answers 202. It runs until terminated.
 */
public final class TinyFunction {
    private TinyFunction() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path received = Path.of(args[1]);
        long delay = args.length > 2 ? Long.parseLong(args[2]) : 0;
        Thread.sleep(delay);
        String sink = System.getenv("K_SINK");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.createContext("/q/health/live", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.createContext("/", ex -> {
            if ("POST".equals(ex.getRequestMethod())) {
                ex.getRequestBody().readAllBytes();
                String line = ex.getRequestHeaders().getFirst("ce-id") + " " + sink + " "
                        + ProcessHandle.current().pid() + "\n";
                synchronized (TinyFunction.class) {
                    Files.writeString(received, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                }
                ex.sendResponseHeaders(202, -1);
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
