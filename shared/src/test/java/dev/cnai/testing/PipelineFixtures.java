package dev.cnai.testing;

import dev.cnai.data.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Small datasets on disk for pipeline tests. */
public final class PipelineFixtures {
    private PipelineFixtures() {
    }

    /** Writes seeded Gaussian blobs (8 features) as CSV, label first. */
    public static Path blobsCsv(Path file, int rows, int classes) throws IOException {
        Dataset d = Fixtures.blobs(rows, 8, classes, 11L);
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < d.rows(); r++) {
            sb.append(d.y()[r]);
            for (int c = 0; c < d.features(); c++) {
                sb.append(',').append(String.format(Locale.ROOT, "%.5f", d.x()[r * d.features() + c]));
            }
            sb.append('\n');
        }
        Files.writeString(file, sb);
        return file;
    }
}
