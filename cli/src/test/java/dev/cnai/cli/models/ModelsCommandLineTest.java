package dev.cnai.cli.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cnai models}' options: before or after the verb, and a refusal is exit status 1 with the reason. */
class ModelsCommandLineTest {
    @TempDir
    Path dir;

    private String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ModelsCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), () -> {
                    throw new AssertionError("no Knative here");
                });
        return new String[] {Integer.toString(status), out.toString(StandardCharsets.UTF_8),
            err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void registryOptionsGoBeforeOrAfterTheVerb() {
        String location = "oci-layout:" + dir.resolve("empty");
        String[] after = run("list", "--registry", location);
        String[] before = run("--registry", location, "list");
        assertEquals("1", after[0], after[2]);
        assertTrue(after[2].startsWith("cnai models list: INVALID_INPUT: no models in "), after[2]);
        assertEquals(after[2], before[2]);
        String[] named = run("--model", "digits", "list", "--registry", location);
        assertEquals("0", named[0], named[2]);
        assertTrue(named[1].contains("no versions"), named[1]);
    }
}
