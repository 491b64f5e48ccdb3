package dev.cnai.broker.deadletter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cnai.broker.Events;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The dead-letter sink that keeps what it receives: every CloudEvent POSTed to it (binary or structured mode) is
 * appended, with the time it arrived, as one JSON line to a file and forced to disk before it answers 202, so an
 * acknowledged dead letter survives a crash. On Knative it runs as the {@code dead-letter} Service that every
 * Trigger's {@code deadLetterSink} names ({@link DeadLetterMain}; {@code java -jar cnai-local-broker.jar sink} in
 * development); it answers
 * {@code GET /healthz} with 200 and the number of events kept.
 */
public final class DeadLetterSink implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final FileChannel file;
    private final Path path;
    private final int maxBody;
    private long kept;

    private DeadLetterSink(HttpServer server, FileChannel file, Path path, int maxBody) {
        this.server = server;
        this.file = file;
        this.path = path;
        this.maxBody = maxBody;
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "dead-letter-sink");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** Binds {@code host:port} and appends received events to {@code file} (created with its directories). */
    public static DeadLetterSink start(String host, int port, Path file, int maxBody) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (AccessDeniedException e) {
            throw new IOException(unwritable(file), e);
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        DeadLetterSink s = new DeadLetterSink(server, ch, file, maxBody);
        server.start();
        return s;
    }

    /** Why {@code file} cannot be written, with who this process is and who owns the directory. */
    static String unwritable(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        String owner;
        try {
            owner = dir == null ? "?" : Files.getOwner(dir).getName();
        } catch (IOException | UnsupportedOperationException e) {
            owner = "?";
        }
        String me = ProcessHandle.current().info().user().orElse("?");
        return "cannot write the dead-letter file " + file.toAbsolutePath() + ": permission denied for user " + me
                + " (" + dir + " is owned by " + owner + "); give the volume to this user: on Kubernetes the pod's "
                + "securityContext.fsGroup (knative/base/dead-letter.yaml sets 1001), with podman/docker a volume "
                + "owned by uid 1001";
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The file dead letters are appended to. */
    public Path file() {
        return path;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if ("GET".equals(ex.getRequestMethod()) && ex.getRequestURI().getPath().equals("/healthz")) {
                long n;
                synchronized (this) {
                    n = kept;
                }
                reply(ex, 200, Events.JSON.createObjectNode().put("status", "ok").put("kept", n).toString());
                return;
            }
            if (!"POST".equals(ex.getRequestMethod())) {
                reply(ex, 405, "{\"error\":\"POST CloudEvents to this sink\"}");
                return;
            }
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readNBytes(maxBody + 1);
            }
            if (body.length > maxBody) {
                reply(ex, 413, "{\"error\":\"event larger than " + maxBody + " bytes\"}");
                return;
            }
            CloudEvent event;
            try {
                event = Events.read(ex.getRequestHeaders(), body);
            } catch (Events.InvalidEventException e) {
                reply(ex, 400, Events.JSON.createObjectNode().put("error", e.getMessage()).toString());
                return;
            }
            ObjectNode line = Events.JSON.createObjectNode();
            line.put("receivedAt", Instant.now().toString());
            String traceId = Events.traceId(event);
            if (traceId != null) {
                line.put("traceId", traceId); // the run's trace (docs/operations.md#tracing)
            }
            line.set("event", Events.toJson(event));
            byte[] bytes = (Events.JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (this) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    file.write(buf);
                }
                file.force(false);
                kept++;
            }
            reply(ex, 202, "");
        } catch (IOException | RuntimeException e) {
            // not kept: a 5xx makes the sender retry
            reply(ex, 500, Events.JSON.createObjectNode().put("error", "not kept: " + Events.rootMessage(e))
                    .toString());
        }
    }

    private static void reply(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0) {
            ex.getResponseHeaders().set("Content-Type", "application/json");
        }
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
        try {
            file.close();
        } catch (IOException e) {
            System.err.println("cannot close " + path + ": " + e.getMessage());
        }
    }
}
