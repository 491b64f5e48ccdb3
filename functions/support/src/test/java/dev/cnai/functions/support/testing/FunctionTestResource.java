package dev.cnai.functions.support.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts a {@link RecordingSink} as K_SINK and gives the function a fresh object store and registry in a
 * temporary directory. Tests reach them through the static accessors.
 */
public class FunctionTestResource implements QuarkusTestResourceLifecycleManager {
    private static RecordingSink sink;
    private static Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("cnai-test-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        sink = new RecordingSink();
        return Map.of("cnai.sink.url", sink.url(), "cnai.storage-root", dir.resolve("store").toString(),
                "cnai.registry", dir.resolve("registry").toString());
    }

    @Override
    public void stop() {
        if (sink != null) {
            sink.close();
        }
    }

    public static RecordingSink sink() {
        return sink;
    }

    public static Path storeDir() {
        return dir.resolve("store");
    }

    public static Path registryDir() {
        return dir.resolve("registry");
    }
}
