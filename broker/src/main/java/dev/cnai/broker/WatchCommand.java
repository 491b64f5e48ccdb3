package dev.cnai.broker;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code watch} (a dev extension beyond Knative): follows the events of one subject through {@code GET /events}. */
@Command(name = "watch", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Follow the events of one subject (run id) and print them (dev extension).",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:one of the --until types arrived (its data is printed last)",
            "1:the broker answered an error", "2:wrong arguments",
            "3:dev.cnai.pipeline.failed arrived", "4:the timeout passed first"})
final class WatchCommand extends BrokerClientCommand {

    @Option(names = "--subject", paramLabel = "RUN", description = "subject (run id) to follow (required)")
    String subject;

    @Option(names = "--until", paramLabel = "type1,type2",
            description = "exit 0 when one of these types arrives (its data is printed last)")
    String until;

    @Option(names = "--timeout", defaultValue = "PT10M", paramLabel = "DURATION",
            description = "give up after this long, exit 4 (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--since", defaultValue = "0", paramLabel = "INDEX",
            description = "first event index to read (default ${DEFAULT-VALUE})")
    int since;

    @Option(names = "--interval", defaultValue = "PT0.5S", paramLabel = "DURATION",
            description = "poll interval (default ${DEFAULT-VALUE})")
    Duration interval;

    WatchCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    @Override
    public Integer call() {
        URI brokerUri = brokerUri();
        String subj = required("subject", subject);
        List<String> types = until != null
                ? Arrays.stream(until.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()
                : List.of();
        long next = since;
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean warned = false;
        HttpClient client = client();
        while (true) {
            URI q = brokerUri.resolve("/events?subject=" + URLEncoder.encode(subj, StandardCharsets.UTF_8)
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
                    if (Main.PIPELINE_FAILED.equals(type)) {
                        out.println("FAILED" + (data.hasNonNull("step") ? " in " + data.get("step").asText() : "")
                                + ": " + (data.hasNonNull("reason") ? data.get("reason").asText() : data.toString()));
                        return Main.EXIT_PIPELINE_FAILED;
                    }
                    if (types.contains(type)) {
                        out.println(data.isMissingNode() ? "null" : Events.JSON.writeValueAsString(data));
                        return 0;
                    }
                }
                warned = false;
            } catch (IOException e) {
                if (!warned) {
                    err.println("waiting for the broker at " + brokerUri + ": " + Events.rootMessage(e));
                    warned = true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
            if (System.nanoTime() >= deadline) {
                err.println("timeout: no " + (types.isEmpty() ? "end" : String.join(" or ", types))
                        + " event for subject '" + subj + "' within " + timeout);
                return Main.EXIT_TIMEOUT;
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
}
