package dev.cnai.cli.soak;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A steady inference load on one loopback URL: {@code rate} POSTs a second from one background thread, at most
 * {@code inFlight} at a time, stopped by {@link #stop()}, after {@code maxRequests} or after {@code maxDuration},
 * whichever comes first. Counts 2xx, 429 (the batcher's back-pressure), other statuses and transport errors.
 */
public final class InferLoad implements AutoCloseable {
    private final URI target;
    private final byte[] body;
    private final int rate;
    private final long maxRequests;
    private final Duration maxDuration;
    private final Semaphore inFlight;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Thread thread;
    private volatile boolean stopping;

    private final LongAdder ok = new LongAdder();
    private final LongAdder backPressure = new LongAdder();
    private final LongAdder non2xx = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicInteger pending = new AtomicInteger();
    /** Latency of 2xx answers in whole milliseconds (the last bucket holds everything slower). */
    private final long[] latencyMs = new long[10_001];
    private final ConcurrentHashMap<String, Boolean> firstErrors = new ConcurrentHashMap<>();

    public InferLoad(URI target, byte[] body, int rate, long maxRequests, Duration maxDuration, int inFlight) {
        if (!"127.0.0.1".equals(target.getHost()) && !"localhost".equals(target.getHost())) {
            throw new IllegalArgumentException("the soak's load stays on loopback, not " + target);
        }
        this.target = target;
        this.body = body.clone();
        this.rate = rate;
        this.maxRequests = maxRequests;
        this.maxDuration = maxDuration;
        this.inFlight = new Semaphore(inFlight);
        this.thread = new Thread(this::loop, "soak-infer-load");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        long start = System.nanoTime();
        long period = 1_000_000_000L / rate;
        long end = start + maxDuration.toNanos();
        for (long i = 0; i < maxRequests && !stopping; i++) {
            long due = start + i * period;
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            if (due > now) {
                try {
                    TimeUnit.NANOSECONDS.sleep(due - now);
                } catch (InterruptedException e) {
                    break;
                }
            }
            try {
                if (!inFlight.tryAcquire(5, TimeUnit.SECONDS)) {
                    continue; // infer is that slow: skip this slot rather than pile up requests
                }
            } catch (InterruptedException e) {
                break;
            }
            sendOne();
        }
    }

    private void sendOne() {
        long t0 = System.nanoTime();
        sent.incrementAndGet();
        pending.incrementAndGet();
        HttpRequest req = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((resp, err) -> {
            try {
                if (err != null) {
                    errors.increment();
                    note(err.getClass().getSimpleName() + ": " + err.getMessage());
                } else if (resp.statusCode() / 100 == 2) {
                    ok.increment();
                    int ms = (int) Math.min(latencyMs.length - 1, (System.nanoTime() - t0) / 1_000_000);
                    synchronized (latencyMs) {
                        latencyMs[ms]++;
                    }
                } else if (resp.statusCode() == 429) {
                    backPressure.increment();
                } else {
                    non2xx.increment();
                    String b = resp.body();
                    note("HTTP " + resp.statusCode() + " " + b.substring(0, Math.min(200, b.length())));
                }
            } finally {
                pending.decrementAndGet();
                inFlight.release();
            }
        });
    }

    private void note(String error) {
        if (firstErrors.size() < 5) {
            firstErrors.putIfAbsent(error, Boolean.TRUE);
        }
    }

    /** Stops sending and waits (up to 15 s) for the answers still on their way. */
    public void stop() throws InterruptedException {
        stopping = true;
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(15));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (pending.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    public long sent() {
        return sent.get();
    }

    public long ok() {
        return ok.sum();
    }

    public long backPressure() {
        return backPressure.sum();
    }

    public long non2xx() {
        return non2xx.sum();
    }

    public long errors() {
        return errors.sum();
    }

    /** Up to five distinct failures, for the report. */
    public java.util.Set<String> firstErrors() {
        return java.util.Set.copyOf(firstErrors.keySet());
    }

    /** The {@code q}-quantile (0..1) of 2xx latencies in ms, or -1 without any. */
    public long latencyQuantileMs(double q) {
        synchronized (latencyMs) {
            long total = 0;
            for (long c : latencyMs) {
                total += c;
            }
            if (total == 0) {
                return -1;
            }
            long rank = (long) Math.ceil(q * total);
            long seen = 0;
            for (int ms = 0; ms < latencyMs.length; ms++) {
                seen += latencyMs[ms];
                if (seen >= rank) {
                    return ms;
                }
            }
            return latencyMs.length - 1;
        }
    }
}
