package dev.cnai.broker;

import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;

/**
 * Sends one attempt of a {@link Delivery} in CloudEvents HTTP binary mode and classifies what came of it as an
 * {@link Outcome}; the {@link Dispatcher} settles it (log, reply, retry, dead letter). A delivery to a subscriber
 * that {@link ProcessManager} manages starts it first when it does not run (a cold start) and counts as its
 * in-flight work until the answer arrives; faults ({@code --faults}) are injected here, never into dead-letter
 * sink posts.
 */
final class Sender {

    private final BrokerConfig config;
    private final ProcessManager processes;
    private final FaultInjector faults;
    private final CompletableFuture<HttpClient> client;

    /** {@code processes} and {@code faults} may be null (none); {@code threads} builds the HTTP client off-thread. */
    Sender(BrokerConfig config, ProcessManager processes, FaultInjector faults, ThreadFactory threads) {
        this.config = config;
        this.processes = processes;
        this.faults = faults;
        // Building an HttpClient initialises TLS (~0.4 s on a small machine): do it off the start-up path.
        this.client = CompletableFuture.supplyAsync(() -> HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build(), r -> threads.newThread(r).start());
    }

    /** Whether faults apply to {@code d}: never to dead-letter sink posts, which must stay reliable. */
    private boolean injects(Delivery d) {
        return faults != null && !d.toDeadLetterSink();
    }

    /**
     * What one attempt came to.
     *
     * @param result its class
     * @param response the subscriber's answer ({@link Result#DELIVERED}; for {@link Result#FAILED} when it answered)
     * @param status HTTP status (the subscriber's, or the one a fault injected), or null without a response
     * @param millis how long the attempt took
     * @param reason why it failed (not for {@link Result#DELIVERED})
     * @param excerpt start of the response body, or a note on the injected fault, or empty
     */
    record Outcome(Result result, HttpResponse<byte[]> response, Integer status, long millis, String reason,
            String excerpt) {

        /** The class of an attempt's outcome. */
        enum Result {
            /** The subscriber answered 2xx. */
            DELIVERED,
            /** A network error, a timeout, a non-2xx answer or an injected error: maybe retried. */
            FAILED,
            /** The event cannot be put into an HTTP request: never retried. */
            UNSENDABLE,
            /** The worker was interrupted (shutdown): nothing to settle, shutdown dead-letters it. */
            INTERRUPTED
        }

        static Outcome unsendable(String reason) {
            return new Outcome(Result.UNSENDABLE, null, null, 0, reason, "");
        }

        static Outcome failed(Integer status, long millis, String reason, String excerpt) {
            return new Outcome(Result.FAILED, null, status, millis, reason, excerpt);
        }
    }

    /**
     * The W3C trace headers of a delivery: the event's Distributed Tracing extension ({@code traceparent},
     * {@code tracestate}). This broker records no spans, so the hop it makes carries the producer's context, which is
     * what the CloudEvents spec asks of a single hop; the subscriber's HTTP server span then joins the run's trace.
     */
    static Map<String, String> traceHeaders(CloudEvent e) {
        Map<String, String> h = new LinkedHashMap<>();
        for (String name : new String[] {"traceparent", "tracestate"}) {
            Object v = e.getExtension(name);
            if (v != null && !v.toString().isBlank()) {
                h.put(name, v.toString());
            }
        }
        return h;
    }

    /**
     * Sends attempt {@code attempt} of {@code d}: builds the request, starts a scale-to-zero subscriber first when it
     * does not run, applies injected faults, and classifies the answer. Settles nothing.
     */
    Outcome send(Delivery d, int attempt) {
        Duration timeout = d.trigger().delivery().timeout() != null
                ? d.trigger().delivery().timeout() : config.deliveryTimeout();
        HttpRequest request;
        try {
            Events.BinaryMessage msg = Events.toBinary(d.event());
            HttpRequest.Builder b = HttpRequest.newBuilder(d.target()).timeout(timeout)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(msg.body()));
            msg.headers().forEach(b::header);
            traceHeaders(d.event()).forEach(b::header);
            request = b.build();
        } catch (RuntimeException e) {
            return Outcome.unsendable("event cannot be sent over HTTP: " + Events.rootMessage(e));
        }
        String managed = processes != null && processes.manages(d.serviceName()) ? d.serviceName() : null;
        long start = System.nanoTime();
        HttpResponse<byte[]> response;
        String networkError;
        try {
            if (injects(d) && faults.error(d.event(), d.trigger().name(), d.copy(), attempt)) {
                faults.record("error", d.event(), d.who(), "attempt " + attempt + " answered 503 by the broker, "
                        + "subscriber not contacted");
                return Outcome.failed(503, (System.nanoTime() - start) / 1_000_000,
                        "FAULT error: 503 injected by the broker (subscriber not contacted)",
                        "FAULT error: 503 injected by the broker");
            }
            response = post(d, managed, request);
            if (injects(d) && faults.lost(d.event(), d.trigger().name(), d.copy(), attempt)) {
                faults.record("lost", d.event(), d.who(), "attempt " + attempt + ": the subscriber answered "
                        + response.statusCode() + "; the answer is thrown away and the attempt treated as a "
                        + "timeout");
                networkError = "no response (FAULT lost: the subscriber's " + response.statusCode()
                        + " answer was thrown away)";
                response = null;
            } else {
                networkError = null;
            }
        } catch (ProcessManager.StartException e) {
            networkError = "cold start failed: " + e.getMessage();
            response = null;
        } catch (HttpTimeoutException e) {
            networkError = "no response within " + timeout;
            response = null;
        } catch (ConnectException e) {
            networkError = "cannot connect to " + d.target() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            response = null;
        } catch (IOException e) {
            networkError = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            response = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(Outcome.Result.INTERRUPTED, null, null, 0, null, "");
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (response == null) {
            return Outcome.failed(null, millis, networkError, "");
        }
        int status = response.statusCode();
        String excerpt = Events.excerpt(response.body(), Dispatcher.EXCERPT_CHARS);
        return status >= 200 && status < 300
                ? new Outcome(Outcome.Result.DELIVERED, response, status, millis, null, excerpt)
                : new Outcome(Outcome.Result.FAILED, response, status, millis, "subscriber answered " + status, excerpt);
    }

    /** Posts {@code request}, holding the managed process {@code managed} (when not null) while it is in flight. */
    private HttpResponse<byte[]> post(Delivery d, String managed, HttpRequest request)
            throws IOException, InterruptedException, ProcessManager.StartException {
        if (managed != null) {
            processes.acquire(managed);
        }
        try {
            if (managed != null && injects(d)) {
                faults.sending(managed, d.event(), d.who());
            }
            return client.join().send(request, HttpResponse.BodyHandlers.ofByteArray());
        } finally {
            if (managed != null) {
                processes.release(managed);
            }
        }
    }
}
