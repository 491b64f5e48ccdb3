package dev.cnai.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.events.TrainingSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code cnai local}'s option parsing: help, typos and missing values are answered, never a stack trace. */
class CnaiOptionsTest {

    @Test
    void helpPrintsTheOptionsAndSucceeds() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(0, Cnai.local(new String[] {"--rounds", "3", "--help"}, new PrintStream(bytes, true,
                StandardCharsets.UTF_8)));
        String usage = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(usage.contains("--rounds N") && usage.contains("--dataset PATH"), usage);
    }

    @Test
    void documentedOptionsParse() {
        LocalCommand o = Cnai.parse(new String[] {"--dataset", "d.tgz", "--once", "--rounds", "3", "--model",
                "cnn", "--conv", "16,32", "--l2", "0.0005", "--patience", "6", "--augment", "2", "--repo", "."});
        assertEquals(List.of("d.tgz", true, 3, "cnn", List.of(16, 32), 0.0005, 6, 2, "."), List.of(o.run.dataset,
                o.once, o.run.rounds, o.run.model, o.run.conv, o.run.l2, o.run.patience, o.run.augment, o.repo.repo));
        assertEquals(6, o.run.request(null).training().patience());
        assertEquals(2, o.run.request(null).training().augment());
    }

    @Test
    void imageRunsDefaultToLightAugmentationAndTwentyRounds() {
        TrainingSpec mnist = Cnai.parse(new String[] {"--dataset", "d.tgz"}).run.request(null).training();
        assertEquals(1, mnist.augment());
        assertEquals(20, mnist.rounds());
        TrainingSpec csv = Cnai.parse(new String[] {"--dataset", "d.csv", "--format", "csv"}).run.request(null)
                .training();
        assertEquals(null, csv.augment(), "csv rows are not images: no default augmentation");
        TrainingSpec off = Cnai.parse(new String[] {"--dataset", "d.tgz", "--augment", "0", "--rounds", "10"}).run
                .request(null).training();
        assertEquals(0, off.augment());
        assertEquals(10, off.rounds());
    }

    @Test
    void typosAndMissingValuesAreRefusedWithAMessage() {
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> Cnai.parse(new String[] {"--epoch", "2"}));
        assertTrue(typo.getMessage().contains("unknown option --epoch"), typo.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Cnai.parse(new String[] {"--rounds"}));
        assertTrue(missing.getMessage().startsWith("--rounds needs a value"), missing.getMessage());
        assertEquals(2, assertDoesNotThrowLocal(new String[] {"--epoch", "2"}));
        // bad values are refused before anything starts
        assertEquals(2, assertDoesNotThrowLocal(new String[] {"--dataset", "d.tgz", "--epochs", "two"}));
        assertEquals(2, assertDoesNotThrowLocal(new String[] {"--dataset", "d.tgz", "--timeout", "30m"}));
        IllegalArgumentException number = assertThrows(IllegalArgumentException.class,
                () -> Cnai.parse(new String[] {"--dataset", "d.tgz", "--epochs", "two"}).run.request(null));
        assertEquals("--epochs needs a whole number, got 'two'", number.getMessage());
        // seeds are longs, as run ids made from timestamps are
        assertEquals(1795914372790L, Cnai.parse(new String[] {"--dataset", "d.tgz", "--seed", "1795914372790"}).run
                .request(null).training().seed());
    }

    private static int assertDoesNotThrowLocal(String[] args) {
        try {
            return Cnai.local(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError("cnai local threw instead of answering", e);
        }
    }
}
