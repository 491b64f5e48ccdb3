package dev.cnai.registry;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A real OCI registry for tests: the Debian {@code docker-registry} binary (distribution/registry 2.8) started on
 * loopback with filesystem storage in a temporary directory, deletes enabled, and optionally htpasswd (bcrypt)
 * basic auth. {@code .ci/run} installs it ({@code apt-get install docker-registry apache2-utils}); tests call
 * {@link #assumeAvailable()} and are skipped with a message where the binary is absent.
 */
public final class DockerRegistry implements AutoCloseable {
    /** The registry binary; {@code CNAI_DOCKER_REGISTRY} overrides it. */
    public static final Path BINARY = Path.of(envOr("CNAI_DOCKER_REGISTRY", "/usr/bin/docker-registry"));
    /** The htpasswd tool of apache2-utils. */
    public static final Path HTPASSWD = Path.of("/usr/bin/htpasswd");

    private final Process process;
    private final int port;
    private final Path storage;
    private final Path log;

    private DockerRegistry(Process process, int port, Path storage, Path log) {
        this.process = process;
        this.port = port;
        this.storage = storage;
        this.log = log;
    }

    /** Skips the calling test unless the registry binary (and, for auth, htpasswd) is installed. */
    public static void assumeAvailable(boolean auth) {
        Assumptions.assumeTrue(Files.isExecutable(BINARY), "docker-registry not installed at " + BINARY
                + " (apt-get install -y docker-registry; .ci/run does this): skipping real-registry tests");
        if (auth) {
            Assumptions.assumeTrue(Files.isExecutable(HTPASSWD), "htpasswd not installed at " + HTPASSWD
                    + " (apt-get install -y apache2-utils; .ci/run does this): skipping registry auth tests");
        }
    }

    /** Starts an anonymous registry storing under {@code dir}. */
    public static DockerRegistry start(Path dir) throws IOException, InterruptedException {
        return start(dir, null, null);
    }

    /** Starts a registry under {@code dir}; with a user, every request needs basic auth (htpasswd, bcrypt). */
    public static DockerRegistry start(Path dir, String user, String password) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path storage = dir.resolve("storage");
        Files.createDirectories(storage);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        StringBuilder yml = new StringBuilder()
                .append("version: 0.1\n")
                .append("log:\n  level: warn\n  accesslog:\n    disabled: true\n")
                .append("storage:\n  filesystem:\n    rootdirectory: ").append(storage).append('\n')
                .append("  delete:\n    enabled: true\n")
                .append("http:\n  addr: 127.0.0.1:").append(port).append("\n  secret: ")
                .append(UUID.randomUUID()).append('\n');
        if (user != null) {
            Process h = new ProcessBuilder(HTPASSWD.toString(), "-Bbn", user, password).redirectErrorStream(true)
                    .start();
            String line = new String(h.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (h.waitFor() != 0) {
                throw new IOException("htpasswd failed: " + line);
            }
            Files.writeString(dir.resolve("htpasswd"), line + "\n");
            yml.append("auth:\n  htpasswd:\n    realm: cnai-test\n    path: ").append(dir.resolve("htpasswd"))
                    .append('\n');
        }
        Path config = dir.resolve("config.yml");
        Files.writeString(config, yml);
        Path log = dir.resolve("registry.log");
        Process p = new ProcessBuilder(BINARY.toString(), "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        DockerRegistry r = new DockerRegistry(p, port, storage, log);
        r.awaitReady();
        return r;
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("docker-registry exited with " + process.exitValue() + ": " + logTail());
            }
            try {
                int status = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 401) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        close();
        throw new IOException("docker-registry did not answer on 127.0.0.1:" + port + " within 30 s: " + logTail());
    }

    /** {@code oci+http://127.0.0.1:<port>/<namespace>}. */
    public String location(String namespace) {
        return "oci+http://127.0.0.1:" + port + (namespace.isEmpty() ? "" : "/" + namespace);
    }

    public int port() {
        return port;
    }

    /** The registry's filesystem storage root ({@code docker/registry/v2/…} under it). */
    public Path storage() {
        return storage;
    }

    /** The data file of a blob in the registry's storage. */
    public Path blobData(String digest) {
        String hex = digest.substring("sha256:".length());
        return storage.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex)
                .resolve("data");
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String envOr(String key, String fallback) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? fallback : v;
    }
}
