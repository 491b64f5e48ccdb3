package dev.cnai.broker;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The broker's HTTP side (JDK {@link HttpServer}):
 * <ul>
 * <li>{@code POST /} and {@code POST /<namespace>/<broker>}: a CloudEvent in binary or structured mode →
 * 202; invalid → 400 {@code {"error": ...}}; body over the limit → 413; overloaded (see {@link Admission}) →
 * 429 with {@code Retry-After}, the event not accepted.</li>
 * <li>{@code GET /events?subject=S&since=N&limit=L}: accepted events in arrival order with their index, a page
 * at a time (limit 1000 by default, 10000 at most); the {@code cnai-next-since} header says where the next page
 * starts and {@code cnai-more} whether there is one already.</li>
 * <li>{@code GET /triggers}: loaded Triggers and where they deliver.</li>
 * <li>{@code GET /metrics}: the broker's meters ({@link BrokerMetrics}) in the Prometheus text format.</li>
 * <li>{@code GET /healthz} (and {@code GET /stats}, the same): 200 with counters: pending deliveries, refused
 * events, injected faults.</li>
 * <li>{@code /_activator/<service>/<path>} (any method): a plain HTTP request to a subscriber, the way Knative's
 * activator takes requests for a Service scaled to zero; Ingress only routes it, the {@link Activator} starts a
 * scale-to-zero subscriber when it is not running, forwards the request and returns the answer as it is.</li>
 * </ul>
 * Threads: the HTTP server's own small pool parses requests and answers the GETs itself; event POSTs are handed to
 * a separate pool and activator requests (which may wait for a cold start) to another, so that an event storm
 * cannot starve {@code GET /events} or {@code /healthz}.
 */
public final class Ingress {

    /** Default page size of {@code GET /events}. */
    public static final int DEFAULT_EVENTS_LIMIT = 1000;
    /** Largest page of {@code GET /events}; larger limits are reduced to it. */
    public static final int MAX_EVENTS_LIMIT = 10_000;
    /** Event POSTs waiting for an ingress thread beyond which new ones are answered 429 at once. */
    static final int POST_BACKLOG = 1024;
    /** Path prefix of the activator (not a valid namespace, so it cannot clash with {@code /<namespace>/<broker>}). */
    public static final String ACTIVATOR = "/_activator/";

    private final LocalBroker broker;
    private final BrokerConfig config;
    private final Activator activator;
    private HttpServer server;
    private ExecutorService executor;
    private java.util.concurrent.ThreadPoolExecutor posts;
    private ExecutorService activations;
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean stopping;

    /** Creates the ingress for {@code broker}; {@link #start()} binds it. */
    public Ingress(LocalBroker broker, BrokerConfig config) {
        this.broker = broker;
        this.config = config;
        this.activator = new Activator(broker, config);
    }

    /** Binds {@code config.host():config.port()} and starts serving. */
    public void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 128);
        executor = Executors.newFixedThreadPool(4, threads("broker-http"));
        posts = new java.util.concurrent.ThreadPoolExecutor(8, 8, 0, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(POST_BACKLOG), threads("broker-ingress"));
        activations = Executors.newCachedThreadPool(threads("broker-activator"));
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Stops accepting events (new requests get 503), waits up to a second for requests being handled, then
     * closes the listener.
     */
    public void stop() {
        if (server == null) {
            return;
        }
        stopping = true;
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (active.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        server.stop(0);
        executor.shutdown();
        posts.shutdown();
        activations.shutdown();
    }

    /** Work on one exchange, possibly on another thread than the one that parsed it. */
    @FunctionalInterface
    private interface Work {
        void run(HttpExchange ex) throws IOException;
    }

    private void handle(HttpExchange ex) throws IOException {
        active.incrementAndGet();
        if (stopping) {
            run(ex, e -> error(e, 503, "broker is shutting down"));
            return;
        }
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        if (path.startsWith(ACTIVATOR)) {
            String rest = path.substring(ACTIVATOR.length());
            handOff(activations, ex, e -> activator.handle(e, rest));
            return;
        }
        if (method.equals("GET") || method.equals("HEAD")) {
            String p = path;
            run(ex, e -> {
                switch (p) {
                    case "/healthz", "/stats" -> json(e, 200, stats());
                    case "/events" -> events(e);
                    case "/triggers" -> triggers(e);
                    case BrokerMetrics.PATH -> metrics(e);
                    default -> error(e, 404, "no such resource " + p
                            + " (GET /healthz, /stats, /events, /triggers, /metrics; POST / or /<namespace>/<broker>)");
                }
            });
            return;
        }
        if (!method.equals("POST")) {
            run(ex, e -> {
                e.getResponseHeaders().add("Allow", "GET, HEAD, POST");
                error(e, 405, "method " + method + " not allowed; POST CloudEvents to / or /<namespace>/<broker>");
            });
            return;
        }
        LocalBroker.Scope scope = scope(path);
        if (scope == null) {
            String p = path;
            run(ex, e -> error(e, 404, "POST CloudEvents to / or /<namespace>/<broker>, not " + p));
            return;
        }
        handOff(posts, ex, e -> post(e, scope));
    }

    /** Runs {@code work} on another pool; when that pool's backlog is full, answers 429 here at once. */
    private void handOff(ExecutorService pool, HttpExchange ex, Work work) {
        try {
            pool.execute(() -> run(ex, work));
        } catch (java.util.concurrent.RejectedExecutionException full) {
            run(ex, e -> {
                if (stopping) {
                    error(e, 503, "broker is shutting down");
                    return;
                }
                broker.admission().refusedBusy();
                tooManyRequests(e, "broker ingress busy: " + POST_BACKLOG + " event posts are waiting to be read; "
                        + "the event was NOT accepted, send it again after " + Admission.RETRY_AFTER_SECONDS + " s");
            });
        }
    }

    /** Runs {@code work}, answers 500 on a bug, closes the exchange and counts it finished. */
    private void run(HttpExchange ex, Work work) {
        try (ex) {
            work.run(ex);
        } catch (RuntimeException e) {
            try {
                error(ex, 500, "broker error: " + Events.rootMessage(e));
            } catch (IOException | RuntimeException ignored) {
                // response already started, or the client went away
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            active.decrementAndGet();
        }
    }

    /** What {@code GET /healthz} and {@code GET /stats} answer. */
    private ObjectNode stats() {
        ObjectNode o = Events.JSON.createObjectNode().put("status", "ok")
                .put("triggers", broker.triggers().size());
        Dispatcher d = broker.dispatcher();
        o.put("accepted", broker.log().acceptedCount());
        o.put("pending", d.pending());
        o.put("queued", d.queued());
        o.put("inFlight", d.inFlight());
        o.put("queueCapacity", broker.admission().capacity());
        o.put("refused", broker.admission().refused());
        ObjectNode f = o.putObject("faults");
        f.put("enabled", broker.faults().enabled());
        f.put("spec", broker.faults().faults().toString());
        f.set("counts", Events.JSON.valueToTree(broker.faults().counts()));
        return o;
    }

    private static LocalBroker.Scope scope(String path) {
        String[] parts = path.replaceAll("^/+|/+$", "").split("/+");
        if (parts.length == 1 && parts[0].isEmpty()) {
            return LocalBroker.Scope.ALL;
        }
        if (parts.length == 2) {
            return new LocalBroker.Scope(parts[0], parts[1]);
        }
        return null;
    }

    private void post(HttpExchange ex, LocalBroker.Scope scope) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                long declared = Long.parseLong(length.trim());
                if (declared > config.maxBody()) {
                    drain(ex.getRequestBody());
                    tooLarge(ex, declared);
                    return;
                }
            } catch (NumberFormatException e) {
                error(ex, 400, "invalid Content-Length '" + length + "'");
                return;
            }
        }
        InputStream in = ex.getRequestBody();
        byte[] body = in.readNBytes(config.maxBody() + 1);
        if (body.length > config.maxBody()) {
            drain(in);
            tooLarge(ex, -1);
            return;
        }
        in.close();
        // Back-pressure before anything is accepted or logged: the sender keeps the event and tries again.
        if (!broker.admission().admit()) {
            tooManyRequests(ex, broker.admission().refusal());
            return;
        }
        CloudEvent event;
        try {
            event = Events.read(ex.getRequestHeaders(), body);
        } catch (Events.InvalidEventException e) {
            error(ex, 400, e.getMessage());
            return;
        }
        if (broker.faults().killOnEmit(event)) {
            error(ex, 503, "FAULT kill-on-emit: the sender was killed; event " + event.getId() + " NOT accepted");
            return;
        }
        broker.accept(event, scope, "ingress", 0);
        ex.sendResponseHeaders(202, -1);
    }

    private static void tooManyRequests(HttpExchange ex, String message) throws IOException {
        ex.getResponseHeaders().set("Retry-After", Integer.toString(Admission.RETRY_AFTER_SECONDS));
        error(ex, 429, message);
    }

    /** Reads and discards what is left of a rejected body (up to 256 MiB) so the client sees the response. */
    private static void drain(InputStream in) {
        byte[] buf = new byte[64 * 1024];
        long left = 256L * 1024 * 1024;
        try (in) {
            int n;
            while (left > 0 && (n = in.read(buf)) > 0) {
                left -= n;
            }
        } catch (IOException e) {
            // the client went away; nothing to answer
        }
    }

    private void tooLarge(HttpExchange ex, long declared) throws IOException {
        error(ex, 413, "event body " + (declared >= 0 ? "of " + declared + " bytes " : "")
                + "exceeds the broker limit of " + config.maxBody() + " bytes (Knative's practical limit is 1 MiB): "
                + "put large payloads in the object store and send a reference (or start the broker with a larger "
                + "--max-body)");
    }

    private void events(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        long since;
        int limit;
        try {
            since = Long.parseLong(q.getOrDefault("since", "0"));
            limit = Integer.parseInt(q.getOrDefault("limit", Integer.toString(DEFAULT_EVENTS_LIMIT)));
        } catch (NumberFormatException e) {
            error(ex, 400, "since and limit must be integers");
            return;
        }
        if (since < 0 || limit <= 0) {
            error(ex, 400, "since must be >= 0 and limit > 0");
            return;
        }
        String subject = q.get("subject");
        EventLog.Page page = broker.log().page(subject == null || subject.isEmpty() ? null : subject, since,
                Math.min(limit, MAX_EVENTS_LIMIT));
        ArrayNode arr = Events.JSON.createArrayNode();
        for (EventLog.AcceptedEvent a : page.entries()) {
            arr.add(a.toJson());
        }
        ex.getResponseHeaders().set("cnai-next-since", Long.toString(page.nextSince()));
        ex.getResponseHeaders().set("cnai-more", Boolean.toString(page.more()));
        ex.getResponseHeaders().set("cnai-first-index", Long.toString(page.firstIndex()));
        json(ex, 200, arr);
    }

    /** {@code GET /metrics}: the broker's meters in the Prometheus text format (404 when not kept as Prometheus). */
    private void metrics(HttpExchange ex) throws IOException {
        String text = broker.metrics().scrape();
        if (text == null) {
            error(ex, 404, "this broker keeps no Prometheus registry");
            return;
        }
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(200, head ? -1 : body.length);
        if (!head) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        }
    }

    private void triggers(HttpExchange ex) throws IOException {
        ArrayNode arr = Events.JSON.createArrayNode();
        for (Trigger t : broker.triggers()) {
            ObjectNode o = arr.addObject();
            o.put("name", t.name());
            o.put("broker", t.broker());
            o.set("filter", Events.JSON.valueToTree(t.filter()));
            o.put("subscriber", t.subscriber().describe());
            o.put("target", broker.resolver().resolve(t.subscriber()).map(Object::toString).orElse(null));
            o.put("retry", t.delivery().retry());
            o.put("backoffPolicy", t.delivery().backoffPolicy().name().toLowerCase());
            o.put("backoffDelay", t.delivery().backoffDelay().toString());
            if (t.delivery().deadLetterSink() != null) {
                o.put("deadLetterSink", t.delivery().deadLetterSink().describe());
            }
        }
        json(ex, 200, arr);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            m.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return m;
    }

    /** Answers {@code status} with {@code {"error": message}}. */
    static void error(HttpExchange ex, int status, String message) throws IOException {
        json(ex, status, Events.JSON.createObjectNode().put("error", message));
    }

    private static void json(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = Events.JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static java.util.concurrent.ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
