package dev.cnai.broker;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers events to Trigger subscribers in CloudEvents HTTP binary mode, asynchronously on a fixed pool of workers.
 * Its work queue is unbounded: admission control happens at the ingress (429 while {@link #pending()} is at the
 * configured capacity), so a delivery that was admitted, a retry, a reply's deliveries or a dead-letter post is
 * never refused here; an accepted event is not lost for lack of room.
 * A 2xx answer is success (a CloudEvent in it is handed back as a reply); network errors, 5xx, 408 and 429 are
 * retried per the Trigger's {@code spec.delivery}; other answers, and retries exhausted, dead-letter the event:
 * it is always appended to {@code dead-letter.jsonl} and, when the Trigger's dead-letter sink resolves, posted there.
 */
public final class Dispatcher implements AutoCloseable {

    /** Longest response body excerpt kept for dead-letter records. */
    public static final int EXCERPT_CHARS = 1024;

    /** Receives CloudEvents that subscribers returned in their 2xx responses. */
    @FunctionalInterface
    public interface ReplyHandler {
        /** Called on a worker thread for each reply; {@code hops} is the reply chain length so far. */
        void onReply(CloudEvent reply, Trigger from, LocalBroker.Scope scope, int hops);
    }

    private final BrokerConfig config;
    private final SubscriberResolver resolver;
    private final EventLog log;
    private final ReplyHandler replies;
    private final FaultInjector faults;
    private final BrokerMetrics metrics;
    private final Sender sender;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService timer;
    private final Map<Long, Delivery> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean closing;

    /** Creates the dispatcher and its threads. */
    public Dispatcher(BrokerConfig config, SubscriberResolver resolver, EventLog log, ReplyHandler replies) {
        this(config, resolver, log, replies, null, null);
    }

    /**
     * Creates the dispatcher; deliveries to a subscriber that {@code processes} manages start it first when it does
     * not run (a cold start), and count as its in-flight work until the answer arrives.
     */
    public Dispatcher(BrokerConfig config, SubscriberResolver resolver, EventLog log, ReplyHandler replies,
            ProcessManager processes) {
        this(config, resolver, log, replies, processes, null);
    }

    /**
     * Creates the dispatcher with fault injection ({@code faults} null or disabled for none). Faults never touch
     * deliveries to dead-letter sinks.
     */
    public Dispatcher(BrokerConfig config, SubscriberResolver resolver, EventLog log, ReplyHandler replies,
            ProcessManager processes, FaultInjector faults) {
        this(config, resolver, log, replies, processes, faults, BrokerMetrics.none());
    }

    /**
     * Creates the dispatcher with fault injection, counting every attempt's outcome and timing every answer in
     * {@code metrics}, where it also registers the queue gauges.
     */
    public Dispatcher(BrokerConfig config, SubscriberResolver resolver, EventLog log, ReplyHandler replies,
            ProcessManager processes, FaultInjector faults, BrokerMetrics metrics) {
        this.metrics = metrics;
        this.faults = faults != null && faults.enabled() ? faults : null;
        this.config = config;
        this.resolver = resolver;
        this.log = log;
        this.replies = replies;
        this.sender = new Sender(config, processes, this.faults, threads("broker-http-init"));
        this.workers = new ThreadPoolExecutor(config.workers(), config.workers(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads("broker-delivery"));
        this.workers.allowCoreThreadTimeOut(true);
        this.timer = Executors.newSingleThreadScheduledExecutor(threads("broker-retry-timer"));
        metrics.queue(this::pending, this::queued, this::inFlight, config.queueCapacity());
    }

    /** Number of deliveries not yet finished (queued, in flight or waiting for a retry). */
    public int pending() {
        return pending.size();
    }

    /** Deliveries waiting in the work queue for a free worker. */
    public int queued() {
        return workers.getQueue().size();
    }

    /** Deliveries being sent right now. */
    public int inFlight() {
        return workers.getActiveCount();
    }

    /**
     * Starts delivering {@code event} to {@code trigger}'s subscriber. An unresolvable subscriber dead-letters
     * the event at once.
     */
    public void dispatch(Trigger trigger, CloudEvent event, LocalBroker.Scope scope, int hops) {
        var target = resolver.next(trigger.subscriber());
        Delivery d = new Delivery(ids.incrementAndGet(), trigger, event, scope, hops, target.orElse(null), false, 0);
        if (target.isEmpty()) {
            metrics.delivery(trigger.name(), BrokerMetrics.Outcome.DEAD_LETTERED);
            deadLetter(d, "subscriber not resolvable: " + resolver.unresolvedReason(trigger.subscriber()),
                    null, null, 0);
            return;
        }
        submit(d, 1);
        if (faults != null && faults.duplicate(event, trigger.name())) {
            // At-least-once delivery: the same event (same id) reaches the subscriber a second time, a little later.
            Delivery twin = new Delivery(ids.incrementAndGet(), trigger, event, scope, hops, d.target(), false, 1);
            Duration lag = faults.duplicateLag(event, trigger.name());
            faults.record("duplicate", event, trigger.name(), "second copy in " + lag.toMillis() + "ms");
            pending.put(twin.id(), twin);
            later(() -> submit(twin, 1), lag);
        }
    }

    /** Queues attempt {@code attempt} of {@code d} (after the injected delay, when faults are on). */
    private void submit(Delivery d, int attempt) {
        pending.put(d.id(), d);
        Duration delay = injects(d) ? faults.delay(d.event(), d.trigger().name(), d.copy(), attempt) : Duration.ZERO;
        if (delay.isZero()) {
            execute(d, attempt);
        } else {
            faults.record("delay", d.event(), d.who(), "attempt " + attempt + " held back " + delay.toMillis() + "ms");
            later(() -> execute(d, attempt), delay);
        }
    }

    private void execute(Delivery d, int attempt) {
        try {
            workers.execute(() -> attempt(d, attempt));
        } catch (RejectedExecutionException e) {
            // Only after shutdown (the queue is unbounded): left pending, shutdown() dead-letters it.
        }
    }

    private void later(Runnable task, Duration delay) {
        try {
            timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down: what is still pending is dead-lettered by shutdown()
        }
    }

    /** Whether faults apply to {@code d}: never to dead-letter sink posts, which must stay reliable. */
    private boolean injects(Delivery d) {
        return faults != null && !d.toDeadLetterSink();
    }

    /** Attempt {@code attempt} of {@code d}: sends it, then settles what came of it. */
    private void attempt(Delivery d, int attempt) {
        settle(d, attempt, sender.send(d, attempt));
    }

    /**
     * Settles attempt {@code attempt} of {@code d}: logs it, then hands a reply on, schedules a retry, or
     * dead-letters the event, and finishes the delivery unless a retry follows.
     */
    private void settle(Delivery d, int attempt, Sender.Outcome o) {
        switch (o.result()) {
            case INTERRUPTED -> {
                // shutting down: close() dead-letters what is still pending
            }
            case UNSENDABLE -> {
                if (pending.remove(d.id()) != null) {
                    count(d, BrokerMetrics.Outcome.DEAD_LETTERED, o);
                    terminalFailure(d, o.reason(), null, o.excerpt(), attempt);
                }
            }
            case DELIVERED -> {
                if (!pending.containsKey(d.id())) {
                    return; // shut down meanwhile: already dead-lettered
                }
                count(d, BrokerMetrics.Outcome.DELIVERED, o);
                log.record(outcome(EventLog.Kind.DELIVERED, d, o.status(), attempt).millis(o.millis()).build());
                handleReply(d, o.response(), attempt, o.excerpt());
                // Finished only now: the reply's own deliveries are pending already, so pending() never reads 0
                // while work is still on its way.
                pending.remove(d.id());
            }
            case FAILED -> settleFailure(d, attempt, o);
        }
    }

    private void settleFailure(Delivery d, int attempt, Sender.Outcome o) {
        Integer status = o.status();
        boolean retryable = status == null || status >= 500 || status == 408 || status == 429;
        int retries = d.trigger().delivery().retry();
        if (retryable && attempt <= retries && !closing) {
            Duration delay = d.trigger().delivery().delayAfter(attempt);
            count(d, BrokerMetrics.Outcome.RETRIED, o);
            log.record(outcome(EventLog.Kind.RETRY, d, status, attempt).millis(o.millis())
                    .reason(o.reason() + "; retry " + attempt + "/" + retries + " in " + delay.toMillis() + "ms")
                    .build());
            // a retry goes to the replica after the one that failed, when there are several (a dead-letter post stays)
            Delivery again = d.toDeadLetterSink() ? d
                    : d.withTarget(resolver.after(d.trigger().subscriber(), d.target()).orElse(d.target()));
            later(() -> submit(again, attempt + 1), delay);
            return;
        }
        if (!pending.containsKey(d.id())) {
            return;
        }
        String why;
        if (!retryable) {
            why = o.reason() + " (not retryable)";
        } else if (closing) {
            why = o.reason() + " (broker shutting down, no further retries)";
        } else {
            why = o.reason() + (retries == 0 ? " (no retries configured)" : " (" + retries + " retries exhausted)");
        }
        count(d, retryable ? BrokerMetrics.Outcome.DEAD_LETTERED : BrokerMetrics.Outcome.REJECTED, o);
        log.record(outcome(EventLog.Kind.FAILED, d, status, attempt).millis(o.millis()).reason(why).build());
        terminalFailure(d, why, status, o.excerpt(), attempt);
        pending.remove(d.id());
    }

    /**
     * Counts attempt outcome {@code outcome} of a delivery to a subscriber (not of a dead-letter sink post, which
     * the dead-letter counter covers) and, when the subscriber answered, how long that took.
     */
    private void count(Delivery d, BrokerMetrics.Outcome outcome, Sender.Outcome o) {
        if (d.toDeadLetterSink()) {
            return;
        }
        metrics.delivery(d.trigger().name(), outcome);
        if (o.status() != null) {
            metrics.deliveryTime(d.trigger().name(), o.millis());
        }
    }

    /** A {@code kind} record for {@code d}'s attempt {@code attempt} that ended with {@code status}. */
    private static LogRecord.Builder outcome(EventLog.Kind kind, Delivery d, Integer status, Integer attempt) {
        return LogRecord.of(kind, d.event(), d.who()).status(status).attempt(attempt)
                .target(d.target() == null ? null : d.target().toString());
    }

    private void handleReply(Delivery d, HttpResponse<byte[]> response, int attempt, String excerpt) {
        if (d.toDeadLetterSink() || !Events.carriesEvent(response.headers().map())) {
            return; // a plain 2xx body is an acknowledgement, not a reply
        }
        CloudEvent reply;
        try {
            reply = Events.read(response.headers().map(), response.body());
        } catch (Events.InvalidEventException e) {
            String why = "subscriber replied " + response.statusCode() + " with an invalid CloudEvent: "
                    + e.getMessage();
            log.record(outcome(EventLog.Kind.FAILED, d, response.statusCode(), attempt).reason(why).build());
            deadLetter(d, why, response.statusCode(), excerpt, attempt);
            return;
        }
        log.record(LogRecord.of(EventLog.Kind.REPLY, reply, d.trigger().name()).status(response.statusCode())
                .target(d.target().toString()).reason("reply to " + d.event().getType() + " " + d.event().getId())
                .build());
        replies.onReply(reply, d.trigger(), d.scope(), d.hops() + 1);
    }

    private void terminalFailure(Delivery d, String why, Integer status, String excerpt, int attempts) {
        if (d.toDeadLetterSink()) {
            log.record(outcome(EventLog.Kind.FAILED, d, status, attempts).reason("dead-letter sink not reached ("
                    + why + "); the event is kept in " + EventLog.DEAD_LETTER_FILE).build());
            return;
        }
        deadLetter(d, why, status, excerpt, attempts);
    }

    /** Writes the dead-letter record and, when the Trigger's sink resolves, posts the event there. */
    private void deadLetter(Delivery d, String reason, Integer status, String excerpt, int attempts) {
        String dest = d.target() != null ? d.target().toString() : d.trigger().subscriber().describe();
        CloudEventBuilder b = CloudEventBuilder.v1(d.event()).withExtension("knativeerrordest", dest);
        if (status != null) {
            b.withExtension("knativeerrorcode", String.valueOf(status));
        }
        if (excerpt != null && !excerpt.isEmpty()) {
            b.withExtension("knativeerrordata",
                    Base64.getEncoder().encodeToString(excerpt.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        CloudEvent dead = b.build();
        Destination sinkSpec = d.trigger().delivery().deadLetterSink();
        URI sink = resolver.resolve(sinkSpec).orElse(null);
        String why = reason;
        if (sinkSpec != null && sink == null) {
            why = reason + "; dead-letter sink not resolvable: " + resolver.unresolvedReason(sinkSpec);
        }
        log.record(LogRecord.deadLettered(dead, d.trigger().name(), why, dest).status(status).attempt(attempts)
                .responseBody(excerpt).deadLetterSink(sink == null ? null : sink.toString()).build());
        if (sink != null && !d.toDeadLetterSink()) {
            submit(new Delivery(ids.incrementAndGet(), d.trigger(), dead, d.scope(), d.hops(), sink, true, 0), 1);
        }
    }

    /**
     * Stops taking new work, lets in-flight deliveries run for up to {@code grace}, then interrupts the rest and
     * dead-letters (file only) every delivery that had not finished.
     */
    public void shutdown(Duration grace) {
        closing = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        timer.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Long> left = new ArrayList<>(pending.keySet());
        for (Long id : left) {
            Delivery d = pending.remove(id);
            if (d == null) {
                continue;
            }
            String why = "broker shut down before delivery finished";
            if (d.toDeadLetterSink()) {
                log.record(outcome(EventLog.Kind.FAILED, d, null, null)
                        .reason(why + "; the event is kept in " + EventLog.DEAD_LETTER_FILE).build());
            } else {
                log.record(LogRecord.deadLettered(CloudEventBuilder.v1(d.event())
                                .withExtension("knativeerrordest", d.target().toString()).build(),
                        d.trigger().name(), why, d.target().toString()).build());
            }
        }
    }

    /** Same as {@link #shutdown(Duration)} with the configured grace period. */
    @Override
    public void close() {
        shutdown(config.shutdownGrace());
    }

    static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
