package dev.cnai.broker;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code send} (a dev extension beyond Knative): posts one CloudEvent in binary mode and prints its id. */
@Command(name = "send", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Post one CloudEvent in binary mode and print its id (dev extension).",
        footer = {"", "To target one broker, add /<namespace>/<broker> to the --broker URL."})
final class SendCommand extends BrokerClientCommand {

    @Option(names = "--type", paramLabel = "TYPE", description = "event type (required)")
    String type;

    @Option(names = "--source", paramLabel = "URI", description = "event source, a URI reference (required)")
    String source;

    @Option(names = "--subject", paramLabel = "SUBJECT", description = "event subject")
    String subject;

    @Option(names = "--id", paramLabel = "ID", description = "event id (default: a random UUID)")
    String id;

    @Option(names = "--data", paramLabel = "@file|JSON", description = "event data: @file.json or '{json}' "
            + "(omit for none)")
    String data;

    @Option(names = "--content-type", defaultValue = "application/json", paramLabel = "TYPE",
            description = "data content type (default ${DEFAULT-VALUE})")
    String contentType;

    @Option(names = "--extension", paramLabel = "name=value", description = "extension attribute (repeatable)")
    List<String> extensions = new ArrayList<>();

    SendCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    @Override
    public Integer call() throws IOException {
        URI brokerUri = brokerUri();
        CloudEventBuilder b = CloudEventBuilder.v1()
                .withId(id != null ? id : UUID.randomUUID().toString())
                .withType(required("type", type))
                .withTime(OffsetDateTime.now());
        try {
            b.withSource(new URI(required("source", source)));
        } catch (java.net.URISyntaxException e) {
            throw new UsageException("--source must be a URI reference, e.g. /cnai/cli: " + e.getMessage());
        }
        if (subject != null) {
            b.withSubject(subject);
        }
        for (String ext : extensions) {
            int eq = ext.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--extension must be name=value, got '" + ext + "'");
            }
            b.withExtension(ext.substring(0, eq), ext.substring(eq + 1));
        }
        if (data != null) {
            byte[] bytes = data.startsWith("@")
                    ? Files.readAllBytes(Path.of(data.substring(1)))
                    : data.getBytes(StandardCharsets.UTF_8);
            if (Events.isJson(contentType)) {
                try {
                    Events.JSON.readTree(bytes);
                } catch (IOException e) {
                    throw new UsageException("--data is not valid JSON: " + Events.rootMessage(e));
                }
            }
            b.withDataContentType(contentType).withData(bytes);
        }
        CloudEvent event = b.build();
        Events.BinaryMessage msg = Events.toBinary(event);
        HttpRequest.Builder req = HttpRequest.newBuilder(brokerUri).timeout(Duration.ofSeconds(30))
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
            err.println("error: cannot reach the broker at " + brokerUri + ": " + why + " (is `serve` running?)");
            return 1;
        }
        if (resp.statusCode() / 100 != 2) {
            err.println("error: broker answered " + resp.statusCode() + ": " + resp.body());
            return 1;
        }
        out.println(event.getId());
        return 0;
    }
}
