/**
 * {@code cnai models}: manage model versions in any registry: list, inspect, compare, promote, rollback and
 * delete; {@code copy} mirrors models between two registries ({@link CopyCommand}). {@link ModelsCommand} is
 * the picocli parent command; each single-registry verb is a {@code @Command} class extending
 * {@link ModelsCommand.Verb}, with the shared {@code --registry}/{@code --model} options as a mixin. With
 * {@code --knative} ({@link RolloutOptions}), promote and rollback also move the infer Knative Service's traffic
 * (see {@code dev.cnai.promotion}). See {@code docs/registry.md}.
 */
package dev.cnai.cli.models;
