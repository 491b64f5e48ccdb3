package dev.cnai.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * Command line of the local broker: {@code serve}, {@code send} and {@code watch}. Run without arguments for usage.
 */
public final class Main {

    /** Exit status when arguments are wrong. */
    public static final int EXIT_USAGE = 2;
    /** Exit status of {@code watch} when a {@code dev.cnai.pipeline.failed} event arrives. */
    public static final int EXIT_PIPELINE_FAILED = 3;
    /** Exit status of {@code watch} when the timeout passes first. */
    public static final int EXIT_TIMEOUT = 4;

    /** The pipeline failure event type (same value as {@code dev.cnai.events.EventTypes.PIPELINE_FAILED}). */
    public static final String PIPELINE_FAILED = "dev.cnai.pipeline.failed";

    static final String USAGE = """
            Usage: java -jar cnai-local-broker.jar <command> [options]

              serve   run the local broker
                --port 8080                 ingress port (0 = any free port)
                --host 127.0.0.1            address to bind
                --triggers knative/         directory of Trigger manifests (*.yaml, *.yml; recursive)
                --data-dir .cnai/broker     where events.jsonl and dead-letter.jsonl are written
                --subscriber name=url       map a Knative Service name to a local base URL (repeatable)
                --subscribers-file f        properties file of name=url lines
                --max-body 1048576          largest accepted event body in bytes (larger: 413)
                --delivery-timeout PT60S    per-attempt delivery timeout (ISO-8601 duration)
                --workers 16                delivery threads
                --queue-capacity 10000      pending deliveries at which new events are refused with 429 (Retry-After)
                --memory-events 100000      newest accepted events kept in memory for GET /events
                --dedupe-window PT10M       how long (source,id) pairs are remembered to flag duplicates
                --shutdown-grace PT5S       how long in-flight deliveries may finish on SIGTERM
              scale to zero (a subscriber started on its first event, stopped when idle):
                --process name=command      start this Knative Service name on demand with this command line
                                            (split on spaces; quote with ' or "); it must listen on the URL given
                                            by --subscriber name=url, and gets K_SINK=<this broker> (repeatable)
                --idle-timeout PT30S        stop a started process after this long without deliveries
                --start-timeout PT60S       longest cold start (spawn until its health URL answers 200)
                --health-path /q/health/live  path polled on the subscriber URL during a cold start
                --process-logs DIR          append each process's output to DIR/<name>.log (default: discard)
              fault injection (development only; off by default; also read from $CNAI_BROKER_FAULTS):
                --faults SPEC               e.g. 'seed=7,duplicate=0.3,delay=0..200ms,error=0.1,lost=0.1,
                                            kill=train-shard:dev.cnai.shard.assigned:2:150ms,
                                            kill-on-emit=evaluate:dev.cnai.shard.assigned:2' (see broker/README.md)

              sink    dead-letter sink that keeps what it receives: appends every CloudEvent to a JSONL file
                --port 8080  --host 0.0.0.0  --file /var/lib/cnai/dead-letter/dead-letter.jsonl
                [--max-body 1048576]

              send    post one CloudEvent in binary mode and print its id
                --broker http://127.0.0.1:8080   broker URL (add /<namespace>/<broker> to target one broker)
                --type T  --source S  [--subject S]  [--id ID]
                --data @file.json | '{json}'     event data (omit for none)
                [--content-type application/json]  [--extension name=value ...]

              watch   follow the events of one subject (run id) and print them
                --broker http://127.0.0.1:8080  --subject RUN
                [--until type1,type2]   exit 0 when one of these types arrives (its data is printed last)
                [--timeout PT10M]  [--since 0]  [--interval PT0.5S]
                exits 3 when dev.cnai.pipeline.failed arrives, 4 on timeout
            """;

    private Main() {
    }

    /** Entry point. */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int code = run(args, out, err);
        if (code != 0 || !(args.length > 0 && (args[0].equals("serve") || args[0].equals("sink")))) {
            System.exit(code);
        }
    }

    /** Runs one command and returns its exit status ({@code serve} returns only after shutdown). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || Set.of("-h", "--help", "help").contains(args[0])) {
            out.print(USAGE);
            return args.length == 0 ? EXIT_USAGE : 0;
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (command) {
                case "serve" -> serve(Options.parse(rest, Set.of("subscriber", "process")), out);
                case "sink" -> sink(Options.parse(rest, Set.of()), out);
                case "send" -> send(Options.parse(rest, Set.of("extension")), out, err);
                case "watch" -> watch(Options.parse(rest, Set.of()), out, err);
                default -> throw new UsageException("unknown command '" + command + "'");
            };
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.println();
            err.print(USAGE);
            return EXIT_USAGE;
        } catch (IOException | RuntimeException e) {
            err.println("error: " + Events.rootMessage(e));
            return 1;
        }
    }

    // ---------------------------------------------------------------- serve

    private static int serve(Options o, PrintStream out) throws IOException {
        o.allow("port", "host", "triggers", "data-dir", "subscriber", "subscribers-file", "max-body",
                "delivery-timeout", "workers", "queue-capacity", "memory-events", "dedupe-window", "shutdown-grace", "process",
                "idle-timeout", "start-timeout", "health-path", "process-logs", "faults");
        BrokerConfig d = BrokerConfig.defaults();
        Map<String, URI> subs = new LinkedHashMap<>();
        if (o.has("subscribers-file")) {
            subs.putAll(SubscriberResolver.readProperties(Path.of(o.get("subscribers-file"))));
        }
        for (String m : o.all("subscriber")) {
            try {
                var e = SubscriberResolver.parseMapping(m);
                subs.put(e.getKey(), e.getValue());
            } catch (IllegalArgumentException ex) {
                throw new UsageException(ex.getMessage());
            }
        }
        BrokerConfig cfg = d.withHost(o.get("host", d.host()))
                .withPort(o.intValue("port", d.port()))
                .withTriggersDir(Path.of(o.get("triggers", d.triggersDir().toString())))
                .withDataDir(Path.of(o.get("data-dir", d.dataDir().toString())))
                .withSubscribers(subs)
                .withMaxBody(o.intValue("max-body", d.maxBody()))
                .withDeliveryTimeout(o.duration("delivery-timeout", d.deliveryTimeout()))
                .withWorkers(o.intValue("workers", d.workers()))
                .withQueueCapacity(o.intValue("queue-capacity", d.queueCapacity()))
                .withMemoryEvents(o.intValue("memory-events", d.memoryEvents()))
                .withDedupeWindow(o.duration("dedupe-window", d.dedupeWindow()))
                .withShutdownGrace(o.duration("shutdown-grace", d.shutdownGrace()));
        Map<String, List<String>> processes = new LinkedHashMap<>();
        for (String p : o.all("process")) {
            try {
                var e = ScaleToZero.parseProcess(p);
                processes.put(e.getKey(), e.getValue());
            } catch (IllegalArgumentException ex) {
                throw new UsageException(ex.getMessage());
            }
        }
        for (String name : processes.keySet()) {
            if (!subs.containsKey(name)) {
                throw new UsageException("--process " + name + " needs --subscriber " + name
                        + "=http://127.0.0.1:PORT (the port its command listens on)");
            }
        }
        ScaleToZero z = ScaleToZero.NONE;
        BrokerConfig withProcesses;
        try {
            withProcesses = cfg.withScaleToZero(new ScaleToZero(processes, o.duration("idle-timeout", z.idleTimeout()),
                    o.duration("start-timeout", z.startTimeout()), o.get("health-path", z.healthPath()),
                    z.stopGrace(), o.has("process-logs") ? Path.of(o.get("process-logs")) : null));
        } catch (IllegalArgumentException ex) {
            throw new UsageException(ex.getMessage());
        }
        Faults faults = faults(o.get("faults"), System.getenv(Faults.ENV));
        for (String s : faults.killedServices()) {
            if (!processes.containsKey(s)) {
                throw new UsageException("--faults kills '" + s + "', which the broker does not start: add --process "
                        + s + "='<command>' and --subscriber " + s + "=URL, or drop that kill entry");
            }
        }
        return serve(withProcesses.withFaults(faults), out);
    }

    /**
     * The fault spec: {@code --faults} when given, else the {@code CNAI_BROKER_FAULTS} environment variable, else
     * none.
     *
     * @throws UsageException when the spec is invalid, naming where it came from
     */
    static Faults faults(String option, String env) {
        String spec = option != null ? option : env;
        try {
            return Faults.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new UsageException((option != null ? "--faults: " : Faults.ENV + ": ") + e.getMessage());
        }
    }

    private static int serve(BrokerConfig cfg, PrintStream out) throws IOException {
        if (!Files.isDirectory(cfg.triggersDir())) {
            throw new UsageException("trigger directory not found: " + cfg.triggersDir().toAbsolutePath()
                    + " (use --triggers DIR)");
        }
        LocalBroker broker;
        try {
            broker = LocalBroker.start(cfg, out);
        } catch (java.net.BindException e) {
            throw new IOException("cannot listen on " + cfg.host() + ":" + cfg.port() + " (" + e.getMessage()
                    + "); is another broker running? Use --port to pick another port", e);
        }
        EventLog log = broker.log();
        log.info("cnai local broker listening on " + broker.uri() + "  (" + broker.triggers().size()
                + " triggers from " + cfg.triggersDir() + ", log " + cfg.dataDir().resolve(EventLog.EVENTS_FILE)
                + ")");
        for (Trigger t : broker.triggers()) {
            log.info("  trigger " + t.name() + "  " + (t.filter().isEmpty() ? "(all events)" : t.filter())
                    + "  → " + broker.resolver().resolve(t.subscriber()).map(URI::toString)
                    .orElse("UNMAPPED " + t.subscriber().describe()));
        }
        for (String name : broker.processes().names()) {
            log.info("  scale to zero: " + name + " starts on its first event, stops after "
                    + cfg.scaleToZero().idleTimeout() + " idle");
        }
        if (broker.triggers().isEmpty()) {
            log.info("WARNING no Triggers found under " + cfg.triggersDir() + ": accepted events reach nobody");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down: waiting up to " + cfg.shutdownGrace() + " for "
                    + broker.dispatcher().pending() + " pending deliveries");
            broker.close();
            out.flush();
            stopped.countDown();
        }, "broker-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    // ---------------------------------------------------------------- sink

    private static int sink(Options o, PrintStream out) throws IOException {
        o.allow("port", "host", "file", "max-body");
        Path file = Path.of(o.get("file", "/var/lib/cnai/dead-letter/dead-letter.jsonl"));
        DeadLetterSink sink = DeadLetterSink.start(o.get("host", "0.0.0.0"), o.intValue("port", 8080), file,
                o.intValue("max-body", BrokerConfig.DEFAULT_MAX_BODY));
        out.println("dead-letter sink listening on port " + sink.port() + ", keeping events in "
                + file.toAbsolutePath());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sink.close();
            stopped.countDown();
        }, "sink-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    // ---------------------------------------------------------------- send

    private static int send(Options o, PrintStream out, PrintStream err) throws IOException {
        o.allow("broker", "type", "source", "subject", "id", "data", "content-type", "extension");
        URI broker = brokerUri(o);
        String contentType = o.get("content-type", "application/json");
        CloudEventBuilder b = CloudEventBuilder.v1()
                .withId(o.get("id", UUID.randomUUID().toString()))
                .withType(o.required("type"))
                .withTime(OffsetDateTime.now());
        try {
            b.withSource(new URI(o.required("source")));
        } catch (java.net.URISyntaxException e) {
            throw new UsageException("--source must be a URI reference, e.g. /cnai/cli: " + e.getMessage());
        }
        if (o.has("subject")) {
            b.withSubject(o.get("subject"));
        }
        for (String ext : o.all("extension")) {
            int eq = ext.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--extension must be name=value, got '" + ext + "'");
            }
            b.withExtension(ext.substring(0, eq), ext.substring(eq + 1));
        }
        if (o.has("data")) {
            String spec = o.get("data");
            byte[] data = spec.startsWith("@")
                    ? Files.readAllBytes(Path.of(spec.substring(1)))
                    : spec.getBytes(StandardCharsets.UTF_8);
            if (Events.isJson(contentType)) {
                try {
                    Events.JSON.readTree(data);
                } catch (IOException e) {
                    throw new UsageException("--data is not valid JSON: " + Events.rootMessage(e));
                }
            }
            b.withDataContentType(contentType).withData(data);
        }
        CloudEvent event = b.build();
        Events.BinaryMessage msg = Events.toBinary(event);
        HttpRequest.Builder req = HttpRequest.newBuilder(broker).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(msg.body()));
        msg.headers().forEach(req::header);
        HttpResponse<String> resp;
        try {
            resp = client().send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (IOException e) {
            String why = e instanceof java.net.ConnectException && e.getMessage() == null
                    ? "connection refused" : Events.rootMessage(e);
            err.println("error: cannot reach the broker at " + broker + ": " + why + " (is `serve` running?)");
            return 1;
        }
        if (resp.statusCode() / 100 != 2) {
            err.println("error: broker answered " + resp.statusCode() + ": " + resp.body());
            return 1;
        }
        out.println(event.getId());
        return 0;
    }

    // ---------------------------------------------------------------- watch

    private static int watch(Options o, PrintStream out, PrintStream err) throws IOException {
        o.allow("broker", "subject", "until", "timeout", "since", "interval");
        URI broker = brokerUri(o);
        String subject = o.required("subject");
        List<String> until = o.has("until")
                ? Arrays.stream(o.get("until").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()
                : List.of();
        Duration timeout = o.duration("timeout", Duration.ofMinutes(10));
        Duration interval = o.duration("interval", Duration.ofMillis(500));
        long next = o.intValue("since", 0);
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean warned = false;
        HttpClient client = client();
        while (true) {
            URI q = broker.resolve("/events?subject=" + URLEncoder.encode(subject, StandardCharsets.UTF_8)
                    + "&since=" + next);
            try {
                HttpResponse<String> resp = client.send(HttpRequest.newBuilder(q).timeout(Duration.ofSeconds(10))
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() != 200) {
                    err.println("error: broker answered " + resp.statusCode() + ": " + resp.body());
                    return 1;
                }
                for (JsonNode a : Events.JSON.readTree(resp.body())) {
                    next = a.path("index").asLong() + 1;
                    JsonNode ev = a.path("event");
                    String type = ev.path("type").asText();
                    JsonNode data = ev.path("data");
                    out.println(watchLine(a, ev, data));
                    if (PIPELINE_FAILED.equals(type)) {
                        out.println("FAILED" + (data.hasNonNull("step") ? " in " + data.get("step").asText() : "")
                                + ": " + (data.hasNonNull("reason") ? data.get("reason").asText() : data.toString()));
                        return EXIT_PIPELINE_FAILED;
                    }
                    if (until.contains(type)) {
                        out.println(data.isMissingNode() ? "null" : Events.JSON.writeValueAsString(data));
                        return 0;
                    }
                }
                warned = false;
            } catch (IOException e) {
                if (!warned) {
                    err.println("waiting for the broker at " + broker + ": " + Events.rootMessage(e));
                    warned = true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
            if (System.nanoTime() >= deadline) {
                err.println("timeout: no " + (until.isEmpty() ? "end" : String.join(" or ", until))
                        + " event for subject '" + subject + "' within " + timeout);
                return EXIT_TIMEOUT;
            }
            try {
                Thread.sleep(Math.min(interval.toMillis(),
                        Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
    }

    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    static String watchLine(JsonNode accepted, JsonNode event, JsonNode data) {
        String when;
        try {
            when = CLOCK.format(Instant.parse(accepted.path("receivedAt").asText()));
        } catch (DateTimeParseException e) {
            when = "";
        }
        StringBuilder sb = new StringBuilder(when).append("  ").append(event.path("type").asText());
        String summary = Events.summary(data);
        if (!summary.isEmpty()) {
            sb.append("  ").append(summary);
        }
        if (accepted.path("duplicate").asBoolean()) {
            sb.append("  (duplicate)");
        }
        return sb.toString();
    }

    private static URI brokerUri(Options o) {
        String b = o.get("broker", "http://127.0.0.1:8080");
        try {
            URI u = URI.create(b);
            if (!u.isAbsolute()) {
                throw new IllegalArgumentException("not absolute");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new UsageException("--broker must be an absolute URL like http://127.0.0.1:8080, got '" + b + "'");
        }
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Wrong command-line arguments. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** {@code --name value} / {@code --name=value} options; some names may repeat. */
    static final class Options {
        private final Map<String, List<String>> values = new LinkedHashMap<>();

        static Options parse(String[] args, Set<String> repeatable) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("--") || a.length() == 2) {
                    throw new UsageException("unexpected argument '" + a + "'");
                }
                String name;
                String value;
                int eq = a.indexOf('=');
                if (eq > 0) {
                    name = a.substring(2, eq);
                    value = a.substring(eq + 1);
                } else {
                    name = a.substring(2);
                    if (i + 1 >= args.length) {
                        throw new UsageException("option --" + name + " needs a value");
                    }
                    value = args[++i];
                }
                List<String> list = o.values.computeIfAbsent(name, k -> new ArrayList<>());
                if (!list.isEmpty() && !repeatable.contains(name)) {
                    throw new UsageException("option --" + name + " given twice");
                }
                list.add(value);
            }
            return o;
        }

        void allow(String... names) {
            Set<String> ok = Set.of(names);
            for (String n : values.keySet()) {
                if (!ok.contains(n)) {
                    throw new UsageException("unknown option --" + n);
                }
            }
        }

        boolean has(String name) {
            return values.containsKey(name);
        }

        String get(String name) {
            List<String> l = values.get(name);
            return l == null ? null : l.get(0);
        }

        String get(String name, String def) {
            return has(name) ? get(name) : def;
        }

        String required(String name) {
            if (!has(name) || get(name).isBlank()) {
                throw new UsageException("option --" + name + " is required");
            }
            return get(name);
        }

        List<String> all(String name) {
            return values.getOrDefault(name, List.of());
        }

        int intValue(String name, int def) {
            if (!has(name)) {
                return def;
            }
            try {
                return Integer.parseInt(get(name).trim());
            } catch (NumberFormatException e) {
                throw new UsageException("option --" + name + " must be an integer, got '" + get(name) + "'");
            }
        }

        Duration duration(String name, Duration def) {
            if (!has(name)) {
                return def;
            }
            try {
                return Duration.parse(get(name).trim());
            } catch (DateTimeParseException e) {
                throw new UsageException("option --" + name + " must be an ISO-8601 duration like PT60S, got '"
                        + get(name) + "'");
            }
        }
    }
}
