package dev.cnai.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TriggerLoaderTest {

    static Path fixtures() {
        try {
            return Path.of(TriggerLoaderTest.class.getResource("/triggers").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsTriggersFromMultiDocumentFilesRecursivelyAndIgnoresOtherKinds() {
        TriggerLoader.Result r = TriggerLoader.loadDirectory(fixtures());
        List<String> names = r.triggers().stream().map(Trigger::name).toList();
        // nested/extension.yml sorts before pipeline.yaml
        assertEquals(List.of("gold-only", "train-shard", "aggregate"), names);
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("broken") && w.contains("spec.subscriber")),
                r.warnings().toString());
    }

    @Test
    void readsFilterSubscriberAndDeliverySpec() {
        Map<String, Trigger> byName = TriggerLoader.loadDirectory(fixtures()).triggers().stream()
                .collect(java.util.stream.Collectors.toMap(Trigger::name, t -> t));

        Trigger train = byName.get("train-shard");
        assertEquals("cnai", train.broker());
        assertEquals("cnai", train.namespace());
        assertEquals(Map.of("type", "dev.cnai.shard.assigned"), train.filter());
        assertEquals(new Destination("Service", "train-shard", null, null), train.subscriber());
        assertEquals(3, train.delivery().retry());
        assertEquals(DeliverySpec.BackoffPolicy.EXPONENTIAL, train.delivery().backoffPolicy());
        assertEquals(Duration.ofMillis(10), train.delivery().backoffDelay());
        assertEquals("dead-letters", train.delivery().deadLetterSink().refName());

        Trigger agg = byName.get("aggregate");
        assertEquals(DeliverySpec.BackoffPolicy.LINEAR, agg.delivery().backoffPolicy());
        assertEquals(2, agg.delivery().retry());
        assertEquals(URI.create("/rounds"), agg.subscriber().uri());
        assertNull(agg.delivery().deadLetterSink());

        Trigger gold = byName.get("gold-only");
        assertEquals(Map.of("type", "dev.cnai.test.ping", "cnaitier", "gold"), gold.filter());
        assertEquals(URI.create("http://127.0.0.1:9/never"), gold.subscriber().uri());
        assertEquals(DeliverySpec.DEFAULT, gold.delivery());
    }

    @Test
    void invalidDeliveryValuesFallBackToDefaultsWithWarnings() {
        String yaml = """
                apiVersion: eventing.knative.dev/v1
                kind: Trigger
                metadata: {name: t}
                spec:
                  subscriber: {ref: {kind: Service, name: s}}
                  delivery: {retry: -1, backoffPolicy: random, backoffDelay: soon}
                """;
        TriggerLoader.Result r = TriggerLoader.parse(yaml, null);
        Trigger t = r.triggers().get(0);
        assertEquals("default", t.broker());
        assertEquals(DeliverySpec.DEFAULT.retry(), t.delivery().retry());
        assertEquals(DeliverySpec.BackoffPolicy.EXPONENTIAL, t.delivery().backoffPolicy());
        assertEquals(DeliverySpec.DEFAULT.backoffDelay(), t.delivery().backoffDelay());
        assertEquals(4, r.warnings().size(), r.warnings().toString());
    }

    @Test
    void brokenYamlIsReportedNotThrown() {
        TriggerLoader.Result r = TriggerLoader.parse("kind: Trigger\n  bad: [indent", Path.of("x.yaml"));
        assertTrue(r.triggers().isEmpty());
        assertTrue(r.warnings().get(0).startsWith("x.yaml: not valid YAML"), r.warnings().toString());
    }

    @Test
    void missingDirectoryIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> TriggerLoader.loadDirectory(Path.of("no/such/dir")));
    }

    @Test
    void backoffDelays() {
        DeliverySpec exp = new DeliverySpec(5, DeliverySpec.BackoffPolicy.EXPONENTIAL, Duration.ofMillis(100), null,
                null);
        assertEquals(Duration.ofMillis(200), exp.delayAfter(1));
        assertEquals(Duration.ofMillis(800), exp.delayAfter(3));
        DeliverySpec lin = new DeliverySpec(5, DeliverySpec.BackoffPolicy.LINEAR, Duration.ofMillis(100), null,
                null);
        assertEquals(Duration.ofMillis(100), lin.delayAfter(1));
        assertEquals(Duration.ofMillis(300), lin.delayAfter(3));
        assertEquals(DeliverySpec.MAX_DELAY, exp.delayAfter(1000));
    }

    @Test
    void resolverMapsServiceNamesAndRelativeUris() {
        SubscriberResolver r = new SubscriberResolver(Map.of("aggregate", URI.create("http://127.0.0.1:8081")));
        assertEquals(URI.create("http://127.0.0.1:8081/rounds"),
                r.resolve(new Destination("Service", "aggregate", null, URI.create("/rounds"))).orElseThrow());
        assertEquals(URI.create("http://h:1/x"), r.resolve(Destination.ofUri(URI.create("http://h:1/x")))
                .orElseThrow());
        assertTrue(r.resolve(Destination.ofService("nope")).isEmpty());
        assertTrue(r.unresolvedReason(Destination.ofService("nope")).contains("--subscriber nope="));
        assertThrows(IllegalArgumentException.class, () -> SubscriberResolver.parseMapping("x=not a url"));
        assertEquals(Map.entry("p", URI.create("http://127.0.0.1:1")),
                SubscriberResolver.parseMapping("p=http://127.0.0.1:1"));
    }
}
