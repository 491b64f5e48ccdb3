package dev.cnai.pipeline;

import static dev.cnai.testing.Configs.modelSpec;
import static dev.cnai.testing.Configs.trainingSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.data.DatasetException;
import dev.cnai.errors.ErrorKind;
import dev.cnai.events.DatasetPrepared;
import dev.cnai.events.DatasetSpec;
import dev.cnai.events.RunRequested;
import dev.cnai.storage.ObjectStores;
import dev.cnai.storage.S3TestServer;
import dev.cnai.testing.PipelineFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * preprocess reads a dataset from {@code s3://bucket/key}, as on a cluster without a shared disk: the same rows,
 * hence the same dataset digest, as from the local file; a missing object fails the run with a message naming it.
 * Credentials come from the SDK's default chain (here its system properties), the endpoint from the URI's options.
 */
class PreprocessFromS3Test {
    @RegisterExtension
    static final S3TestServer.PerClass S3 = new S3TestServer.PerClass("cnai-data");

    @TempDir
    Path dir;

    @BeforeAll
    static void credentialsAsTheDefaultChainReadsThem() {
        System.setProperty("aws.accessKeyId", S3TestServer.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3TestServer.SECRET_KEY);
    }

    @AfterAll
    static void clearCredentials() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    @Test
    void aDatasetInTheObjectStoreIsReadLikeALocalOne() throws Exception {
        Path csv = PipelineFixtures.blobsCsv(dir.resolve("blobs.csv"), 400, 3);
        try (S3Client raw = S3.server().rawClient()) {
            raw.putObject(b -> b.bucket("cnai-data").key("inputs/blobs.csv"), RequestBody.fromFile(csv));
        }
        String options = "?endpoint=" + S3.server().endpoint() + "&region=us-east-1&pathStyle=true";
        DatasetPrepared fromFile = prepare("local", csv.toString());
        long tempBefore = cnaiTempDirs();
        DatasetPrepared fromS3 = prepare("remote", "s3://cnai-data/inputs/blobs.csv" + options);
        assertEquals(fromFile.datasetDigest(), fromS3.datasetDigest(), "the same rows");
        assertEquals(fromFile.trainRows(), fromS3.trainRows());
        assertEquals(tempBefore, cnaiTempDirs(), "the downloaded copy is deleted");

        DatasetException e = assertThrows(DatasetException.class,
                () -> prepare("missing", "s3://cnai-data/inputs/nothing.csv" + options));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("s3://cnai-data/inputs/nothing.csv"), e.getMessage());
        assertFalse(e.getMessage().contains("endpoint="), "names the object, not its options: " + e.getMessage());
        assertThrows(RuntimeException.class, () -> ObjectStores.download("s3://cnai-data/", dir.resolve("x")));
    }

    private DatasetPrepared prepare(String run, String uri) {
        RunRequested req = new RunRequested(run, new DatasetSpec("csv", uri, null, null, 2, null, 7L),
                modelSpec("mlp", List.of(8)), trainingSpec(1, 1, 16, 0.05, 0.9, 1e-4, 2, 7L), null, null);
        new PreprocessStep(ObjectStores.open(dir.resolve("store-" + run).toString()), "blobs").handle(req, run);
        return Json.get(ObjectStores.open(dir.resolve("store-" + run).toString()), Keys.prepared(run),
                DatasetPrepared.class).orElseThrow();
    }

    private static long cnaiTempDirs() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("cnai-dataset-")).count();
        }
    }
}
