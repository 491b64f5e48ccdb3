package dev.cnai.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersionDetector;
import dev.cnai.errors.ErrorKind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry against a real OCI distribution server: docker-registry 2.8 on loopback. */
class OciDistributionRegistryTest extends ModelRegistryContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = "cnai";
    private static final String PASSWORD = "s3cret-Pa55word";
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    @TempDir
    static Path dir;
    static DockerRegistry anonymous;
    static DockerRegistry secured;

    String location;

    @BeforeAll
    static void startRegistries() throws Exception {
        DockerRegistry.assumeAvailable(false);
        anonymous = DockerRegistry.start(dir.resolve("anonymous"));
        if (Files.isExecutable(DockerRegistry.HTPASSWD)) {
            secured = DockerRegistry.start(dir.resolve("secured"), USER, PASSWORD);
        }
    }

    @AfterAll
    static void stopRegistries() {
        if (anonymous != null) {
            anonymous.close();
        }
        if (secured != null) {
            secured.close();
        }
    }

    @Override
    ModelRegistry openFresh() {
        location = anonymous.location("t" + NAMESPACES.incrementAndGet() + "/models");
        return reopen();
    }

    @Override
    ModelRegistry reopen() {
        return Registries.open(location, RegistryCredentials.none());
    }

    @Override
    String expectedReference(String name, String version) {
        return location + "/" + name + ":" + version;
    }

    @Test
    void versionsAliasesLineageAndIdempotentPushPerRun() {
        ModelVersion v1 = registry.push(Fixtures.push(MODEL, "run-1"));
        registry.tag(MODEL, "v1", "production");
        ModelVersion v2 = registry.push(Fixtures.push(MODEL, "run-2"));
        assertEquals(v2, registry.push(Fixtures.push(MODEL, "run-2")));
        assertEquals("v2", v2.version());
        assertEquals("v1", v2.annotations().get(ModelAnnotations.PARENT_VERSION));
        registry.tag(MODEL, "v2", "candidate");

        List<ModelVersion> list = registry.list(MODEL);
        assertEquals(List.of("v1", "v2"), list.stream().map(ModelVersion::version).toList());
        assertEquals(List.of("production"), list.get(0).aliases());
        assertEquals(List.of("candidate"), list.get(1).aliases());
        assertEquals(v1.manifestDigest(), registry.resolve(MODEL, "production").orElseThrow().manifestDigest());
        assertEquals("v2", registry.findByRun(MODEL, "run-2").orElseThrow().version());

        registry.tag(MODEL, "v2", "production");
        assertEquals("v2", registry.resolve(MODEL, "production").orElseThrow().version());
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(RegistryException.class,
                () -> registry.pull(MODEL, "v9")).kind());
        assertTrue(registry.list("unknown-model").isEmpty());
    }

    @Test
    void concurrentPushesOfOneRunInOneProcessYieldOneVersion() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<ModelVersion>> tasks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                tasks.add(() -> Registries.open(location, RegistryCredentials.none())
                        .push(Fixtures.push(MODEL, "run-x")));
            }
            Set<String> versions = new HashSet<>();
            for (Future<ModelVersion> f : pool.invokeAll(tasks)) {
                versions.add(f.get().version());
            }
            assertEquals(Set.of("v1"), versions);
            assertEquals(1, registry.list(MODEL).size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void configValidatesAgainstModelPackSchemaAndManifestHasModelPackTypes() throws Exception {
        ModelVersion v = registry.push(Fixtures.push(MODEL, "run-a"));
        JsonNode config = JSON.readTree(registry.pull(MODEL, "v1").configJson());
        JsonNode schemaNode = JSON.readTree(Fixtures.configSchema().toFile());
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersionDetector.detect(schemaNode))
                .getSchema(schemaNode, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
        assertEquals(Set.of(), schema.validate(config));
        assertEquals(v.modelDigest(), config.at("/modelfs/diffIds/0").asText());

        // what a standard OCI client sees: GET the manifest by tag
        String repo = URI.create(location.replace("oci+http", "http")).getPath().substring(1) + "/" + MODEL;
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + anonymous.port() + "/v2/" + repo + "/manifests/v1"))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals(v.manifestDigest(), r.headers().firstValue("Docker-Content-Digest").orElseThrow());
        JsonNode m = JSON.readTree(r.body());
        assertEquals(ModelPackConfig.ARTIFACT_TYPE, m.get("artifactType").asText());
        assertEquals(ModelPackConfig.CONFIG_MEDIA_TYPE, m.at("/config/mediaType").asText());
        assertEquals(ModelPackConfig.WEIGHT_MEDIA_TYPE, m.at("/layers/0/mediaType").asText());
        assertEquals("model.onnx", m.at("/layers/0/annotations/org.opencontainers.image.title").asText());
    }

    @Test
    void tamperedBlobInTheRegistryStorageIsRefusedOnPull() throws Exception {
        // blobs are shared by all repositories of the registry: tamper with one no other test pushes
        ModelVersion v = registry.push(Fixtures.push(MODEL, "run-tampered"));
        Path data = anonymous.blobData(v.modelDigest());
        assertTrue(Files.isRegularFile(data), data.toString());
        byte[] original = Files.readAllBytes(data);
        byte[] evil = original.clone();
        evil[evil.length - 1] ^= 0x5a;
        Files.write(data, evil);

        RegistryException e = assertThrows(RegistryException.class, () -> registry.pull(MODEL, "v1"));
        assertEquals(ErrorKind.INTEGRITY, e.kind());
        assertTrue(e.getMessage().contains("weight layer model.onnx of " + MODEL + ":v1"), e.getMessage());
        assertTrue(e.getMessage().contains(v.modelDigest()), e.getMessage());
    }

    @Test
    void basicAuthWithConfiguredCredentialsAndClearRefusals() throws Exception {
        DockerRegistry.assumeAvailable(true);
        String loc = secured.location("auth/models");

        RegistryException anon = assertThrows(RegistryException.class,
                () -> Registries.open(loc, RegistryCredentials.none()).push(Fixtures.push(MODEL, "run-1")));
        assertEquals(ErrorKind.INVALID_INPUT, anon.kind());
        assertTrue(anon.getMessage().contains("requires credentials"), anon.getMessage());

        RegistryException wrong = assertThrows(RegistryException.class,
                () -> Registries.open(loc, RegistryCredentials.basic(USER, "wrong-" + PASSWORD)).list(MODEL));
        assertTrue(wrong.getMessage().contains("refused the credentials of user " + USER), wrong.getMessage());
        assertFalse(wrong.getMessage().contains(PASSWORD), wrong.getMessage());

        RegistryCredentials creds = RegistryCredentials.basic(USER, PASSWORD);
        ModelRegistry authed = Registries.open(loc, creds);
        ModelPush push = Fixtures.push(MODEL, "run-1");
        authed.push(push);
        assertArrayEquals(push.onnx(), authed.pull(MODEL, "v1").onnx());
        assertFalse(creds.toString().contains(PASSWORD), creds.toString());
        assertFalse(authed.toString().contains(PASSWORD), authed.toString());

        // the same credentials from a docker config.json (or a mounted kubernetes.io/dockerconfigjson Secret)
        Path config = dir.resolve("docker-config.json");
        Files.writeString(config, "{\"auths\":{\"127.0.0.1:" + secured.port() + "\":{\"auth\":\""
                + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8))
                + "\"}}}");
        RegistryCredentials fromFile = RegistryCredentials.fromDockerConfig(config, "127.0.0.1:" + secured.port());
        assertEquals(USER, fromFile.username().orElseThrow());
        assertEquals(List.of("v1"), Registries.open(loc, fromFile).list(MODEL).stream()
                .map(ModelVersion::version).toList());
        assertFalse(secured.logTail().contains(PASSWORD));
    }

    @Test
    void bearerTokenAuthFetchesATokenFromTheRealm() throws Exception {
        try (BearerProxy proxy = new BearerProxy("127.0.0.1:" + anonymous.port(), USER, PASSWORD)) {
            String loc = "oci+http://" + proxy.authority() + "/bearer/models";
            ModelRegistry authed = Registries.open(loc, RegistryCredentials.basic(USER, PASSWORD));
            ModelPush push = Fixtures.push(MODEL, "run-1");
            authed.push(push);
            authed.tag(MODEL, "v1", "production");
            assertArrayEquals(push.onnx(), authed.pull(MODEL, "production").onnx());
            assertTrue(proxy.tokenRequests.get() >= 1);
            assertTrue(proxy.blobRedirects.get() >= 2, "config and weight blobs were fetched through a redirect");

            RegistryException refused = assertThrows(RegistryException.class,
                    () -> Registries.open(loc, RegistryCredentials.basic(USER, "nope")).list(MODEL));
            assertEquals(ErrorKind.INVALID_INPUT, refused.kind());
            assertTrue(refused.getMessage().contains("token service"), refused.getMessage());
            assertFalse(refused.getMessage().contains(BearerProxy.TOKEN));
        }
    }
}
