package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.events.RunRequested;
import dev.cnai.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The training engine's accuracy bars through the real pipeline (the local broker and the five packaged functions
 * as processes, real HTTP CloudEvents) on the 10,000 MNIST digits in 4 shards: the default `cnai local` MLP run
 * reaches 94 % test accuracy and the README's CNN recipe 97.5 %. Seeded, so one machine always gives the same
 * numbers (here: 95.20 % and 98.50 %); over eight seeds the CNN recipe gave 98.0–98.6 % and the MLP default
 * 95.2–95.9 % over four (docs/benchmarks.md). About two minutes on two cores.
 */
class AccuracyIT {
    /** The README's CNN recipe, verbatim. */
    static final String CNN_RECIPE = "--model cnn --conv 16,32 --hidden 128 --optimizer adam --lr 0.002 --lr-decay 0.9"
            + " --l2 0.0005 --epochs 2 --augment 2 --rounds 30 --patience 8";
    private static LocalStack stack;
    private static Path repo;

    @BeforeAll
    static void start() throws Exception {
        repo = EndToEnd.repo();
        stack = LocalStack.start(EndToEnd.options(Files.createTempDirectory("cnai-accuracy-"), Set.of(),
                Duration.ofSeconds(30)));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void defaultMlpRunReaches94Percent() throws Exception {
        assertTrue(testAccuracy("acc-mlp", "--model-name acc-mlp") >= 0.94);
    }

    @Test
    void readmeCnnRecipeReaches97Point5Percent() throws Exception {
        assertTrue(Files.readString(repo.resolve("README.md")).contains(CNN_RECIPE), "the README names this recipe");
        assertTrue(testAccuracy("acc-cnn", CNN_RECIPE + " --model-name acc-cnn") >= 0.975);
    }

    private static double testAccuracy(String run, String options) throws Exception {
        String args = "--dataset " + Fixtures.mnistTarball() + " " + options;
        RunRequested req = Cnai.parse(args.split(" ")).run.request(run);
        stack.submitRun(run, req);
        RunWatcher.Outcome outcome = new RunWatcher(stack, System.out).follow(run, Duration.ofMinutes(15));
        assertEquals("registered", outcome.status(), run + ": " + outcome.reason());
        double accuracy = outcome.evaluated().test().accuracy();
        System.out.printf("%s: test accuracy %.4f in %.1f s%n", run, accuracy, outcome.wallSeconds());
        return accuracy;
    }
}
