package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.broker.ScaleToZero;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How LocalStack hands the on-demand functions to the broker. */
class LocalStackTest {

    @Test
    void commandLinesSurviveTheBrokersSplitting() {
        List<String> cmd = List.of("/opt/my jdk/bin/java", "-Dcnai.storage-root=/home/o'neil/.cnai/store", "-jar",
                "/repo with spaces/quarkus-run.jar");
        assertEquals(cmd, ScaleToZero.splitCommandLine(LocalStack.commandLine(cmd)));
    }

    @Test
    void trainShardAndInferScaleToZeroByDefaultAndKeepTheirPorts() {
        assertEquals(Set.of("train-shard", "infer"), LocalStack.DEFAULT_ON_DEMAND);
        LocalStack.Options o = new LocalStack.Options(Path.of("/repo"), Path.of("/repo/.cnai"), 9080,
                Duration.ofSeconds(5), System.out, Set.of("infer"), Duration.ofSeconds(3));
        assertTrue(o.onDemand().contains("infer"));
        assertThrows(IllegalArgumentException.class, () -> new LocalStack.Options(Path.of("/r"), Path.of("/h"), 9080,
                Duration.ofSeconds(5), System.out, Set.of("nope"), Duration.ofSeconds(3)));
    }
}
