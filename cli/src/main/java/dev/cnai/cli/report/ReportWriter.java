package dev.cnai.cli.report;

import dev.cnai.errors.CnaiException;
import dev.cnai.registry.ModelRegistry;
import dev.cnai.registry.Registries;
import dev.cnai.storage.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Loads a run's report and writes its page atomically (temporary file, then rename). */
public final class ReportWriter {
    private ReportWriter() {
    }

    /** The default page of a run: {@code <home>/reports/<run>.html}. */
    public static Path defaultPath(Path home, String runId) {
        return home.resolve("reports").resolve(runId + ".html");
    }

    /**
     * Writes the report of {@code runId} from {@code store} to {@code target}; {@code registryLocation} (may be null)
     * adds the registered version's lineage, and a registry that cannot be opened only leaves that part out.
     */
    public static RunReport write(ObjectStore store, String registryLocation, String runId, Path target)
            throws IOException {
        ModelRegistry registry = null;
        if (registryLocation != null) {
            try {
                registry = Registries.open(registryLocation);
            } catch (CnaiException e) {
                registry = null;
            }
        }
        RunReport report = RunReport.load(store, runId, registry);
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".report-", ".html");
        try {
            Files.writeString(tmp, ReportPage.render(report), StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                // keep the temporary file's permissions
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return report;
    }
}
