package dev.cnai.broker;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * The broker's stand-in for Knative's activator, behind {@link Ingress}'s {@value Ingress#ACTIVATOR} prefix: a
 * plain HTTP request {@code /_activator/<service>/<path>} (any method) goes to the subscriber mapped as
 * {@code <service>}. A scale-to-zero subscriber is started first when it is not running (through
 * {@link ProcessManager#acquire}, released when the answer is in), then the request is forwarded to
 * {@code <its URL>/<path>} with its query, body and end-to-end headers, and the answer (status, headers, body) is
 * returned as it is.
 * <p>
 * Answers of its own: 404 when no subscriber has that name, 413 when the body is over {@code --max-body}, 503 when
 * the cold start fails or the broker is shutting down, 502 when the subscriber does not answer. It runs on the
 * thread {@link Ingress} hands it (its activator pool, since a cold start may take a while); Ingress closes the
 * exchange.
 */
final class Activator {

    /** Headers of one connection, not of the request: not forwarded either way. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "host",
            "keep-alive", "transfer-encoding", "upgrade", "expect", "te", "trailer", "proxy-connection");

    private final LocalBroker broker;
    private final BrokerConfig config;
    private final HttpClient proxyClient = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
            .build();

    /** The activator for {@code broker}'s subscribers and processes. */
    Activator(LocalBroker broker, BrokerConfig config) {
        this.broker = broker;
        this.config = config;
    }

    /**
     * Answers {@code ex}, whose path is {@value Ingress#ACTIVATOR} followed by {@code rest}
     * ({@code <service>/<path>}).
     */
    void handle(HttpExchange ex, String rest) throws IOException {
        int slash = rest.indexOf('/');
        String name = slash < 0 ? rest : rest.substring(0, slash);
        String tail = slash < 0 ? "/" : rest.substring(slash);
        URI base = broker.resolver().services().get(name);
        if (name.isEmpty() || base == null) {
            Ingress.error(ex, 404, "no subscriber '" + name + "' is mapped (start the broker with --subscriber "
                    + name + "=http://127.0.0.1:PORT)");
            return;
        }
        String query = ex.getRequestURI().getRawQuery();
        URI target = URI.create(base.toString().replaceAll("/+$", "") + tail
                + (query == null ? "" : "?" + query));
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(config.maxBody() + 1);
        }
        if (body.length > config.maxBody()) {
            Ingress.error(ex, 413, "request body larger than " + config.maxBody() + " bytes");
            return;
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(target)
                .timeout(config.deliveryTimeout())
                .method(ex.getRequestMethod(), body.length == 0 && !"POST".equals(ex.getRequestMethod())
                        && !"PUT".equals(ex.getRequestMethod())
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        ex.getRequestHeaders().forEach((k, vs) -> {
            if (!HOP_BY_HOP.contains(k.toLowerCase(Locale.ROOT))) {
                vs.forEach(v -> req.header(k, v));
            }
        });
        ProcessManager processes = broker.processes();
        HttpResponse<byte[]> resp;
        try {
            processes.acquire(name);
            try {
                resp = proxyClient.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            } finally {
                processes.release(name);
            }
        } catch (ProcessManager.StartException e) {
            Ingress.error(ex, 503, "cold start of " + name + " failed: " + e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Ingress.error(ex, 503, "broker is shutting down");
            return;
        } catch (IOException e) {
            Ingress.error(ex, 502, name + " at " + target + " did not answer: " + Events.rootMessage(e));
            return;
        }
        resp.headers().map().forEach((k, vs) -> {
            if (!HOP_BY_HOP.contains(k.toLowerCase(Locale.ROOT)) && !k.startsWith(":")) {
                vs.forEach(v -> ex.getResponseHeaders().add(k, v));
            }
        });
        byte[] out = resp.body();
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(resp.statusCode(), out.length == 0 || head ? -1 : out.length);
        if (out.length > 0 && !head) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
            }
        }
    }
}
