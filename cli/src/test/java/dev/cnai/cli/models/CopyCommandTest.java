package dev.cnai.cli.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.registry.DockerRegistry;
import dev.cnai.registry.Fixtures;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.Registries;
import dev.cnai.registry.RegistryCredentials;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cnai models copy}: usage errors, and a backup of a layout to the real OCI registry (docker-registry on
 * loopback; a second layout where it is not installed) and its restore.
 */
class CopyCommandTest {
    @TempDir
    static Path dir;
    static DockerRegistry server;
    static String source;

    record Result(int status, String out, String err) {
    }

    @BeforeAll
    static void seed() throws Exception {
        if (Files.isExecutable(DockerRegistry.BINARY)) {
            server = DockerRegistry.start(dir.resolve("docker-registry"));
        }
        source = "oci-layout:" + dir.resolve("source");
        ModelRegistry r = Registries.open(source);
        r.push(Fixtures.push("mnist-mlp", "run-1"));
        r.tag("mnist-mlp", "v1", ModelRegistry.PRODUCTION);
        r.push(Fixtures.push("mnist-mlp", "run-2"));
        r.push(Fixtures.push("digits", "run-9"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Result cnai(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ModelsCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), () -> {
                    throw new AssertionError("no Knative here");
                });
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void usageErrorsExitTwoWithAMessage() {
        Result noTo = cnai("copy", "--from", source, "--all");
        assertEquals(2, noTo.status());
        assertEquals("--to is required (cnai models copy --help lists the options)\n", noTo.err());
        Result neither = cnai("copy", "--from", source, "--to", dir.resolve("x").toString());
        assertEquals(2, neither.status());
        assertTrue(neither.err().startsWith("copy needs exactly one of --model NAME or --all"), neither.err());
        Result both = cnai("copy", "--from", source, "--to", dir.resolve("x").toString(), "--all", "--model", "m");
        assertEquals(2, both.status());
        assertTrue(both.err().startsWith("copy needs exactly one of --model NAME or --all, not both"), both.err());
        assertTrue(Files.notExists(dir.resolve("x")), "nothing was written");
        Result help = cnai("copy", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("CNAI_REGISTRY_USERNAME") && help.out().contains("--from REG"), help.out());
        assertTrue(cnai("--help").out().contains("copy"));
    }

    @Test
    void backupThenRestoreCopiesEverythingAndASecondRunCopiesNothing() {
        String backup = server != null ? server.location("backup") : "oci-layout:" + dir.resolve("backup");
        String restored = "oci-layout:" + dir.resolve("restored");

        Result up = cnai("copy", "--all", "--from", source, "--to", backup);
        assertEquals(0, up.status(), up.err());
        assertTrue(up.out().contains("\nmnist-mlp: 3 tags copied, 0 already present, 4 blobs copied, 0 skipped, "),
                up.out());
        assertTrue(up.out().startsWith("digits: 1 tags copied, 0 already present, 2 blobs copied"), up.out());
        assertTrue(up.out().contains("copied 2 models from oci-layout:" + dir.resolve("source") + " to " + backup
                + ": 4 tags copied, 0 already present, 6 blobs copied, 0 skipped, "), up.out());

        Result down = cnai("copy", "--model", "mnist-mlp", "--from", backup, "--to", restored);
        assertEquals(0, down.status(), down.err());
        assertTrue(down.out().contains("copied 1 model from "), down.out());
        ModelRegistry a = Registries.open(source);
        ModelRegistry b = Registries.open(restored, RegistryCredentials.none());
        assertEquals(a.list("mnist-mlp"), b.list("mnist-mlp"));
        assertArrayEquals(a.pull("mnist-mlp", "production").onnx(), b.pull("mnist-mlp", "production").onnx());

        Result again = cnai("copy", "--all", "--from", source, "--to", backup);
        assertEquals(0, again.status(), again.err());
        assertTrue(again.out().contains("mnist-mlp: up to date, 0 tags copied, 3 already present, 0 blobs copied, "
                + "0 skipped, 0 bytes\n"), again.out());
        assertTrue(again.out().contains(": 0 tags copied, 4 already present, 0 blobs copied, 0 skipped, 0 bytes\n"),
                again.out());
    }

    @Test
    void aDivergedVersionIsRefusedWithExitOne() {
        String other = "oci-layout:" + dir.resolve("diverged");
        Registries.open(other).push(Fixtures.push("mnist-mlp", "run-elsewhere"));
        Result r = cnai("copy", "--model", "mnist-mlp", "--from", source, "--to", other);
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().startsWith("cnai models copy: CONFLICT: cannot copy model mnist-mlp from "), r.err());
        assertTrue(r.err().contains("version v1 is sha256:"), r.err());
        Result all = cnai("copy", "--all", "--from", source, "--to", other);
        assertEquals(1, all.status());
        assertTrue(all.out().startsWith("digits: 1 tags copied"), all.out());
        assertTrue(all.out().contains("copied 1 model from ") && all.out().contains("; 1 refused"), all.out());
        assertTrue(all.err().startsWith("cnai models copy: mnist-mlp: CONFLICT: "), all.err());
    }
}
