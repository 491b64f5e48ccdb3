/**
 * What {@code cnai soak} measures: per-process statistics from {@code /proc} ({@link ProcStats}), the live heap
 * of a local JVM ({@link HeapHistogram}, {@link HeapInfo}, through {@code jcmd}), a steady inference load
 * ({@link InferLoad}) and the growth of a metric per run ({@link Trend}). See {@code docs/reliability.md}.
 */
package dev.cnai.cli.soak;
