package dev.cnai.functions.register;

import static dev.cnai.functions.support.testing.CloudEventRequests.binary;
import static dev.cnai.functions.support.testing.CloudEventRequests.structured;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.events.EventTypes;
import dev.cnai.events.ModelEvaluated;
import dev.cnai.functions.support.testing.FunctionTestResource;
import dev.cnai.functions.support.testing.MalformedEventContract;
import dev.cnai.registry.Registries;
import dev.cnai.storage.ObjectStores;
import dev.cnai.testing.TestRuns;
import io.cloudevents.CloudEvent;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(FunctionTestResource.class)
class RegisterFunctionTest extends MalformedEventContract {

    @Override
    protected String acceptedType() {
        return EventTypes.MODEL_EVALUATED;
    }

    static ModelEvaluated evaluated(String run) throws Exception {
        return new TestRuns(ObjectStores.open(FunctionTestResource.storeDir().toString()), Files.createTempDirectory("rg"))
                .evaluateToEnd(run, 2);
    }

    static List<CloudEvent> await(String run, String type, int n) throws InterruptedException {
        return FunctionTestResource.sink().await(e -> run.equals(e.getSubject()) && type.equals(e.getType()), n,
                Duration.ofSeconds(30));
    }

    @Test
    void registersPromotesAndIgnoresRedelivery() throws Exception {
        ModelEvaluated e = evaluated("run-r1");
        binary(EventTypes.MODEL_EVALUATED, "e-1", "run-r1", e).then().statusCode(204);
        CloudEvent registered = await("run-r1", EventTypes.MODEL_REGISTERED, 1).get(0);
        await("run-r1", EventTypes.MODEL_PROMOTED, 1);
        String data = new String(registered.getData().toBytes());
        assertTrue(data.contains("\"version\":\"v1\""), data);

        structured(EventTypes.MODEL_EVALUATED, "e-1", "run-r1", e).then().statusCode(204);
        // the sink is posted to before the function answers: what the redelivery emitted is already there
        assertEquals(2, FunctionTestResource.sink().events().stream().filter(ev -> "run-r1".equals(ev.getSubject()))
                .count(), "a confirmed decision is not emitted again");
        var registry = Registries.open(FunctionTestResource.registryDir().toString());
        assertEquals(1, registry.list("blobs").size(), "no second version for a redelivered event");
        assertEquals("v1", registry.resolve("blobs", "production").orElseThrow().version());
    }

    @Test
    void modelBelowTheGateIsRejectedWithTheReason() throws Exception {
        ModelEvaluated e = evaluated("run-r2");
        ModelEvaluated bad = TestRuns.withAccuracy(e, 0.1);
        binary(EventTypes.MODEL_EVALUATED, "e-2", "run-r2", bad).then().statusCode(204);
        String data = new String(await("run-r2", EventTypes.MODEL_REJECTED, 1).get(0).getData().toBytes());
        assertTrue(data.contains("below the minimum"), data);
    }

    @Test
    void tamperedModelIsRefused() throws Exception {
        ModelEvaluated e = evaluated("run-r3");
        Files.write(java.nio.file.Path.of(java.net.URI.create(e.model().uri())), new byte[] {1, 2, 3});
        binary(EventTypes.MODEL_EVALUATED, "e-3", "run-r3", e).then().statusCode(422)
                .body("error", org.hamcrest.Matchers.containsString("digest"));
        await("run-r3", EventTypes.PIPELINE_FAILED, 1);
    }
}
