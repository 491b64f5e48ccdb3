package dev.cnai.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.ErrorKind;
import dev.cnai.registry.impl.OciLayoutRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistriesTest {
    @TempDir
    Path root;

    @Test
    void pathsAndOciLayoutLocationsOpenTheEmbeddedRegistry() {
        for (String location : new String[] {root.toString(), "oci-layout:" + root, root.toUri().toString()}) {
            OciLayoutRegistry r = assertInstanceOf(OciLayoutRegistry.class, Registries.open(location));
            assertEquals(root.toAbsolutePath().normalize(), r.root());
        }
    }

    @Test
    void otherSchemesAreInvalidAndSayWhatIsSupported() {
        for (String location : new String[] {"https://ghcr.io/x", "s3://b/k", "",
                "oci-layout:"}) {
            RegistryException e = assertThrows(RegistryException.class, () -> Registries.open(location), location);
            assertEquals(ErrorKind.INVALID_INPUT, e.kind());
            assertTrue(e.getMessage().contains("oci-layout:<path>"), e.getMessage());
        }
    }

    @Test
    void dataFromOneInstanceIsVisibleToAnother() {
        Registries.open(root.toString()).push(Fixtures.push("mnist-mlp", "run-1"));
        assertEquals("v1", Registries.open("oci-layout:" + root).resolve("mnist-mlp", "v1").orElseThrow().version());
    }
}
