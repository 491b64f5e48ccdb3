package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cnai.data.Dataset;
import dev.cnai.data.ShardCodec;
import dev.cnai.onnx.OnnxModel;
import dev.cnai.onnx.Prediction;
import dev.cnai.registry.PulledModel;
import dev.cnai.registry.Registries;
import dev.cnai.storage.ObjectStore;
import dev.cnai.storage.S3TestServer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pipeline end to end with its object store on a real S3 server (S3Proxy on loopback, signature checks on): the
 * broker and the five packaged functions as processes, every function configured with {@code --store s3://…} and
 * credentials from the environment (the SDK's default chain), nothing written to a local store directory.
 */
class S3PipelineIT {
    private static final String RUN = "it-s3-run-1";
    private static final String BUCKET = "cnai-it";
    private static S3TestServer s3;
    private static LocalStack stack;
    private static RunWatcher.Outcome outcome;

    @BeforeAll
    static void startAndRun() throws Exception {
        s3 = S3TestServer.start();
        s3.createBucket(BUCKET);
        // the functions inherit the broker's environment: the SDK's default chain reads these (never a real key)
        Map<String, String> credentials = Map.of("AWS_ACCESS_KEY_ID", S3TestServer.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", S3TestServer.SECRET_KEY, "AWS_REGION", "us-east-1");
        stack = LocalStack.start(EndToEnd.options(Files.createTempDirectory("cnai-e2e-s3-"), Set.of(),
                Duration.ofSeconds(30)).withBrokerEnv(credentials).withStore(s3.root(BUCKET, "e2e", "")));
        outcome = EndToEnd.smallRun(stack, RUN);
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void aRunOnS3RegistersAndServesItsModelWithNothingOnLocalDisk() throws Exception {
        EndToEnd.assertRegistered(stack, outcome);
        assertTrue(outcome.evaluated().test().accuracy() > 0.6);

        ObjectStore store = s3.open(BUCKET, "e2e", "");
        for (String key : List.of("plan.json", "prepared.json", "data/test.bin", "rounds/1/global.weights")) {
            assertTrue(store.exists("runs/" + RUN + "/" + key), key + " is in the S3 store");
        }
        assertFalse(Files.exists(stack.storeDir()), "no local store directory: " + stack.storeDir());

        Dataset test = ShardCodec.decode(store.get("runs/" + RUN + "/data/test.bin").orElseThrow());
        int n = Math.min(10, test.rows());
        float[] x = Arrays.copyOf(test.x(), n * test.features());
        PulledModel pulled = Registries.open(stack.registryDir().toString()).pull("mnist-mlp", "production");
        Prediction expected;
        try (OnnxModel model = OnnxModel.load(pulled.onnx(), 1)) {
            expected = model.predict(x, n);
        }
        EndToEnd.awaitInferReady(stack);
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = Arrays.copyOfRange(x, i * test.features(), (i + 1) * test.features());
        }
        JsonNode served = EndToEnd.infer(stack, rows);
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = served.path("labels").get(i).asLong();
        }
        assertArrayEquals(Arrays.copyOf(expected.labels(), n), labels, "infer serves the registered model");
    }
}
