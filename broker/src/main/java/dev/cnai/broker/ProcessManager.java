package dev.cnai.broker;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Local scale to zero. Subscribers named in {@link ScaleToZero#processes()} are not expected to run: the first
 * delivery to one spawns its command, waits until {@code <base URL><health path>} answers 200, logs
 * {@code cold start <name> <ms> ms}, and delivers. A reaper stops a process (SIGTERM, then SIGKILL after the grace
 * period) once it has had no delivery in flight for the idle timeout; the next delivery starts it again. A process
 * that dies on its own is started again by the next delivery.
 */
public final class ProcessManager implements AutoCloseable {

    /** What {@link #acquire} could not do. */
    public static final class StartException extends Exception {
        StartException(String message) {
            super(message);
        }
    }

    /** One managed subscriber. Guarded by its own monitor. */
    private final class Managed {
        final String name;
        final List<String> command;
        final URI health;
        Process process;
        int inFlight;
        long lastUsedNanos;
        int starts;

        Managed(String name, List<String> command, URI health) {
            this.name = name;
            this.command = command;
            this.health = health;
        }

        boolean running() {
            return process != null && process.isAlive();
        }
    }

    private final ScaleToZero config;
    private final Map<String, Managed> managed = new LinkedHashMap<>();
    private final EventLog log;
    private final BrokerMetrics metrics;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService reaper;
    private final java.util.function.Supplier<URI> sink;
    private volatile boolean closed;

    /**
     * @param config the processes and timeouts
     * @param subscribers service name → base URL (every managed process must be mapped)
     * @param sink broker ingress URL given to every process as {@code K_SINK}, as a Knative SinkBinding does
     * @param log where cold starts and stops are reported
     * @throws IllegalArgumentException when a managed process has no subscriber URL
     */
    public ProcessManager(ScaleToZero config, Map<String, URI> subscribers, java.util.function.Supplier<URI> sink,
            EventLog log) {
        this(config, subscribers, sink, log, BrokerMetrics.none());
    }

    /** Like {@link #ProcessManager(ScaleToZero, Map, java.util.function.Supplier, EventLog)}, counting cold starts. */
    public ProcessManager(ScaleToZero config, Map<String, URI> subscribers, java.util.function.Supplier<URI> sink,
            EventLog log, BrokerMetrics metrics) {
        this.metrics = metrics;
        this.config = config;
        this.log = log;
        this.sink = sink;
        for (var e : config.processes().entrySet()) {
            URI base = subscribers.get(e.getKey());
            if (base == null) {
                throw new IllegalArgumentException("process '" + e.getKey() + "' has no URL: add --subscriber "
                        + e.getKey() + "=http://127.0.0.1:PORT (the port its command listens on)");
            }
            String b = base.toString().replaceAll("/+$", "");
            managed.put(e.getKey(), new Managed(e.getKey(), e.getValue(), URI.create(b + config.healthPath())));
            metrics.onDemand(e.getKey());
        }
        Duration tick = config.idleTimeout().dividedBy(4);
        long tickMs = Math.max(50, Math.min(1000, tick.toMillis()));
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "broker-idle-reaper");
            t.setDaemon(true);
            return t;
        });
        if (!managed.isEmpty()) {
            reaper.scheduleWithFixedDelay(this::reapIdle, tickMs, tickMs, TimeUnit.MILLISECONDS);
        }
    }

    /** True when {@code name} is started on demand. */
    public boolean manages(String name) {
        return name != null && managed.containsKey(name);
    }

    /** Names of the managed subscribers. */
    public List<String> names() {
        return List.copyOf(managed.keySet());
    }

    /** The process id of the running process for {@code name}, if it runs. */
    public Optional<Long> pid(String name) {
        Managed m = managed.get(name);
        if (m == null) {
            return Optional.empty();
        }
        synchronized (m) {
            return m.running() ? Optional.of(m.process.pid()) : Optional.empty();
        }
    }

    /** How many times {@code name} has been started. */
    public int starts(String name) {
        Managed m = managed.get(name);
        if (m == null) {
            return 0;
        }
        synchronized (m) {
            return m.starts;
        }
    }

    /**
     * Makes sure {@code name} runs and counts one delivery in flight; pair with {@link #release}. Concurrent callers
     * during a cold start wait for the same start.
     *
     * @throws StartException when the process cannot be started or does not become healthy in time
     */
    public void acquire(String name) throws StartException, InterruptedException {
        Managed m = managed.get(name);
        if (m == null) {
            return;
        }
        synchronized (m) {
            if (closed) {
                throw new StartException("broker is shutting down");
            }
            if (!m.running()) {
                coldStart(m);
            }
            m.inFlight++;
            m.lastUsedNanos = System.nanoTime();
        }
    }

    /** Marks one delivery to {@code name} finished; the idle clock restarts now. */
    public void release(String name) {
        Managed m = managed.get(name);
        if (m == null) {
            return;
        }
        synchronized (m) {
            m.inFlight = Math.max(0, m.inFlight - 1);
            m.lastUsedNanos = System.nanoTime();
        }
    }

    private void coldStart(Managed m) throws StartException, InterruptedException {
        if (m.process != null) {
            log.info("process " + m.name + " (pid " + m.process.pid() + ") exited with status "
                    + m.process.exitValue() + "; starting it again");
            m.process = null;
        }
        long start = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(m.command).redirectErrorStream(true);
        pb.environment().put("K_SINK", sink.get().toString());
        if (config.logDir() != null) {
            try {
                Files.createDirectories(config.logDir());
            } catch (IOException e) {
                throw new StartException("cannot create log directory " + config.logDir() + ": " + e.getMessage());
            }
            Path logFile = config.logDir().resolve(m.name + ".log");
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        } else {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new StartException("cannot start " + m.name + " (" + String.join(" ", m.command) + "): "
                    + e.getMessage());
        }
        m.process = p;
        m.starts++;
        long deadline = start + config.startTimeout().toNanos();
        while (true) {
            if (!p.isAlive()) {
                m.process = null;
                throw new StartException(m.name + " exited with status " + p.exitValue() + " during its cold start"
                        + logHint(m));
            }
            if (healthy(m.health)) {
                break;
            }
            if (System.nanoTime() > deadline || closed) {
                stop(m, "did not answer " + m.health + " within " + config.startTimeout());
                throw new StartException(m.name + " did not become healthy within " + config.startTimeout() + " ("
                        + m.health + ")" + logHint(m));
            }
            Thread.sleep(25);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        metrics.coldStart(m.name, ms);
        log.info("cold start " + m.name + " " + ms + " ms (pid " + p.pid() + ", start #" + m.starts + ")");
    }

    private String logHint(Managed m) {
        return config.logDir() == null ? "" : "; see " + config.logDir().resolve(m.name + ".log");
    }

    private boolean healthy(URI health) throws InterruptedException {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).GET()
                    .build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private void reapIdle() {
        long now = System.nanoTime();
        for (Managed m : managed.values()) {
            synchronized (m) {
                if (closed || !m.running() || m.inFlight > 0) {
                    continue;
                }
                long idleNanos = now - m.lastUsedNanos;
                if (idleNanos >= config.idleTimeout().toNanos()) {
                    stop(m, "scaled to zero after " + (idleNanos / 1_000_000) + " ms idle (idle timeout "
                            + config.idleTimeout() + ")");
                }
            }
        }
    }

    /** Stops {@code m}'s process: SIGTERM, wait for the grace period, then SIGKILL. Caller holds m's monitor. */
    private void stop(Managed m, String why) {
        Process p = m.process;
        m.process = null;
        if (p == null || !p.isAlive()) {
            return;
        }
        long pid = p.pid();
        p.destroy();
        boolean exited;
        try {
            exited = p.waitFor(config.stopGrace().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = false;
        }
        if (!exited) {
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        log.info("stopped " + m.name + " (pid " + pid + "): " + why + (exited ? "" : "; killed after "
                + config.stopGrace()));
    }

    /**
     * Kills {@code name}'s running process and its descendants at once with SIGKILL ({@link Process#destroyForcibly}
     * is SIGKILL on Linux and macOS), without the SIGTERM and grace period of a scale-to-zero stop: a crash, for fault
     * injection. The process is left recorded as exited, so the next delivery cold-starts it as usual.
     *
     * @param why logged with the kill
     * @return true when a live process was killed
     * @throws IllegalArgumentException when {@code name} is not managed
     */
    public boolean kill(String name, String why) {
        Managed m = managed.get(name);
        if (m == null) {
            throw new IllegalArgumentException("'" + name + "' is not a process the broker manages (--process)");
        }
        long pid;
        // Under the process's monitor until it is reaped: a delivery whose connection the kill just reset retries at
        // once, and its acquire() must find the process gone and start it again, not the dying one still "alive".
        synchronized (m) {
            Process p = m.process;
            if (p == null || !p.isAlive()) {
                log.info("kill " + name + ": not running, nothing killed (" + why + ")");
                return false;
            }
            pid = p.pid();
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    log.info("kill " + name + " (pid " + pid + "): still alive 5 s after SIGKILL");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        log.info("killed " + name + " (pid " + pid + ") with SIGKILL: " + why);
        return true;
    }

    /** Stops every running process this manager started. */
    @Override
    public void close() {
        closed = true;
        reaper.shutdownNow();
        List<Managed> all = new ArrayList<>(managed.values());
        // SIGTERM to all first, so they stop in parallel; then wait for each (SIGKILL after the grace period)
        for (Managed m : all) {
            synchronized (m) {
                if (m.running()) {
                    m.process.destroy();
                }
            }
        }
        for (Managed m : all) {
            synchronized (m) {
                stop(m, "broker shutting down");
            }
        }
    }
}
