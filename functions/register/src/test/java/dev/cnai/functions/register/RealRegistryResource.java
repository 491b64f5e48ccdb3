package dev.cnai.functions.register;

import dev.cnai.functions.support.testing.FunctionTestResource;
import dev.cnai.registry.DockerRegistry;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link FunctionTestResource} with {@code cnai.registry} pointing at a real OCI registry (docker-registry on
 * loopback, {@code oci+http://}). Without the binary it keeps the layout registry and the tests skip themselves.
 */
public class RealRegistryResource extends FunctionTestResource {
    private static DockerRegistry server;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        if (Files.isExecutable(DockerRegistry.BINARY)) {
            try {
                server = DockerRegistry.start(Files.createTempDirectory("cnai-docker-registry-"));
            } catch (Exception e) {
                throw new IllegalStateException("starting docker-registry: " + e.getMessage(), e);
            }
            config.put("cnai.registry", location());
        }
        return config;
    }

    @Override
    public void stop() {
        super.stop();
        if (server != null) {
            server.close();
        }
    }

    static String location() {
        return server.location("pipeline");
    }

}
