package dev.cnai.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token-auth front for an anonymous test registry, the way Docker Hub, GHCR or Harbor behave: {@code /v2/…}
 * without {@code Authorization: Bearer <token>} is answered 401 with
 * {@code WWW-Authenticate: Bearer realm=".../token",service="cnai-test",scope="repository:<repo>:<actions>"};
 * {@code /token} hands out the token for the right basic credentials; blob GETs are redirected (307) to the
 * registry itself, as registries do to object storage; everything else is proxied.
 */
final class BearerProxy implements AutoCloseable {
    static final String TOKEN = "tok-" + java.util.UUID.randomUUID();

    private final HttpServer server;
    private final String upstream;
    private final String user;
    private final String password;
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    final AtomicInteger tokenRequests = new AtomicInteger();
    final AtomicInteger blobRedirects = new AtomicInteger();

    BearerProxy(String upstreamAuthority, String user, String password) throws IOException {
        this.upstream = upstreamAuthority;
        this.user = user;
        this.password = password;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", this::token);
        server.createContext("/v2/", this::proxy);
        server.start();
    }

    String authority() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void token(HttpExchange ex) throws IOException {
        tokenRequests.incrementAndGet();
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
        String query = String.valueOf(ex.getRequestURI().getQuery());
        boolean ok = expected.equals(ex.getRequestHeaders().getFirst("Authorization"))
                && query.contains("service=cnai-test") && query.contains("scope=repository");
        byte[] body = ok ? ("{\"token\":\"" + TOKEN + "\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8)
                : "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}".getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(ok ? 200 : 401, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    private void proxy(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            String[] parts = path.split("/");
            String scope = parts.length > 4 ? "repository:" + String.join("/", List.of(parts).subList(2,
                    parts.length - 2)) + ":pull" : "registry:catalog:*";
            ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://" + authority()
                    + "/token\",service=\"cnai-test\",scope=\"" + scope + "\"");
            ex.sendResponseHeaders(401, -1);
            ex.close();
            return;
        }
        String query = ex.getRequestURI().getRawQuery();
        if (ex.getRequestMethod().equals("GET") && path.contains("/blobs/sha256:")) {
            // like GHCR/ECR: blob downloads are redirected to storage that must not get the registry token
            blobRedirects.incrementAndGet();
            ex.getResponseHeaders().add("Location", "http://" + upstream + path);
            ex.sendResponseHeaders(307, -1);
            ex.close();
            return;
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + upstream + path
                + (query == null ? "" : "?" + query)));
        for (String h : List.of("Content-Type", "Accept")) {
            String v = ex.getRequestHeaders().getFirst(h);
            if (v != null) {
                b.header(h, v);
            }
        }
        byte[] in = ex.getRequestBody().readAllBytes();
        b.method(ex.getRequestMethod(), in.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(in));
        HttpResponse<byte[]> r;
        try {
            r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        r.headers().map().forEach((k, vs) -> {
            if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("transfer-encoding")
                    && !k.equalsIgnoreCase(":status")) {
                vs.forEach(v -> ex.getResponseHeaders().add(k, v.replace(upstream, authority())));
            }
        });
        boolean head = ex.getRequestMethod().equals("HEAD");
        byte[] body = r.body();
        ex.sendResponseHeaders(r.statusCode(), head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            ex.getResponseBody().write(body);
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
