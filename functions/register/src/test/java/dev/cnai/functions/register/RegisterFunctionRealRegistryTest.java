package dev.cnai.functions.register;

import static dev.cnai.functions.support.testing.CloudEventRequests.binary;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.events.EventTypes;
import dev.cnai.events.ModelEvaluated;
import dev.cnai.functions.support.testing.FunctionTestResource;
import dev.cnai.registry.DockerRegistry;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.ModelVersion;
import dev.cnai.registry.Registries;
import dev.cnai.registry.RegistryCredentials;
import dev.cnai.storage.ObjectStores;
import dev.cnai.events.ClassificationMetrics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** register configured with {@code cnai.registry=oci+http://127.0.0.1:<port>/pipeline}: a real OCI registry. */
@QuarkusTest
@WithTestResource(RealRegistryResource.class)
class RegisterFunctionRealRegistryTest {

    @Test
    void registersIntoTheRealRegistryAndAWorseChallengerLeavesProductionAlone() throws Exception {
        DockerRegistry.assumeAvailable(false);
        ModelEvaluated first = RegisterFunctionTest.evaluated("run-oci-1");
        binary(EventTypes.MODEL_EVALUATED, "oci-1", "run-oci-1", first).then().statusCode(204);
        String registered = new String(await("run-oci-1", EventTypes.MODEL_REGISTERED).getData().toBytes());
        assertTrue(registered.contains(RealRegistryResource.location() + "/blobs:v1"), registered);
        await("run-oci-1", EventTypes.MODEL_PROMOTED);

        ModelRegistry registry = Registries.open(RealRegistryResource.location(), RegistryCredentials.none());
        byte[] trained = ObjectStores.open(FunctionTestResource.storeDir().toString()).read(first.model());
        assertArrayEquals(trained, registry.pull("blobs", "production").onnx(), "pulled back = trained bytes");

        ModelEvaluated e = RegisterFunctionTest.evaluated("run-oci-2");
        ClassificationMetrics t = e.test();
        ModelEvaluated worse = new ModelEvaluated(e.runId(), e.modelName(), e.rounds(), e.bestRound(), e.model(),
                e.weights(), e.plan(), new ClassificationMetrics(t.samples(), first.test().accuracy() - 0.1,
                        t.macroF1(), t.loss(), t.precision(), t.recall(), t.f1(), t.confusion()),
                e.validationAccuracy(), e.elapsedMillis());
        binary(EventTypes.MODEL_EVALUATED, "oci-2", "run-oci-2", worse).then().statusCode(204);
        String rejected = new String(await("run-oci-2", EventTypes.MODEL_REJECTED).getData().toBytes());
        assertTrue(rejected.contains("worse than production v1"), rejected);

        List<ModelVersion> versions = registry.list("blobs");
        assertEquals(List.of("v1", "v2"), versions.stream().map(ModelVersion::version).toList());
        assertEquals(List.of("production"), versions.get(0).aliases());
        assertEquals("run-oci-2", registry.rejections("blobs").get(0).runId());
    }

    static io.cloudevents.CloudEvent await(String run, String type) throws InterruptedException {
        return FunctionTestResource.sink().await(e -> run.equals(e.getSubject()) && type.equals(e.getType()), 1,
                Duration.ofSeconds(30)).get(0);
    }
}
