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

    @Test
    void ociLocationsOpenARemoteRegistryAndRefuseCredentialsInTheLocation() {
        assertEquals("oci://registry.example:5000/team/models",
                Registries.open("oci://registry.example:5000/team/models/", RegistryCredentials.none()).toString());
        assertEquals("oci+http://127.0.0.1:5000/models/mnist-mlp:v2",
                Registries.open("oci+http://127.0.0.1:5000/models").reference("mnist-mlp", "v2"));
        assertEquals("oci://ghcr.io/mnist-mlp:production",
                Registries.open("oci://ghcr.io", RegistryCredentials.none()).reference("mnist-mlp", "production"));
        for (String bad : new String[] {"oci://user:pw@registry.example/models", "oci://registry.example/Models",
                "oci://", "oci+http://host/ns?x=1"}) {
            RegistryException e = assertThrows(RegistryException.class, () -> Registries.open(bad), bad);
            assertEquals(ErrorKind.INVALID_INPUT, e.kind());
            assertTrue(!e.getMessage().contains("pw@"), e.getMessage());
        }
    }

    @Test
    void credentialsNeverShowTheirPassword() {
        RegistryCredentials c = RegistryCredentials.basic("robot", "hunter2-secret");
        assertTrue(c.toString().contains("robot") && !c.toString().contains("hunter2"), c.toString());
        assertEquals("RegistryCredentials[none]", RegistryCredentials.none().toString());
        assertThrows(RegistryException.class, () -> RegistryCredentials.basic("", "x"));
    }
}
