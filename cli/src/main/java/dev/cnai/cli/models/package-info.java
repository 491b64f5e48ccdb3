/**
 * {@code cnai models}: manage model versions in any registry: list, inspect, compare, promote, rollback and
 * delete. {@link ModelsCommand} parses the command line and dispatches to one command class per verb; with
 * {@code --knative}, promote and rollback also move the infer Knative Service's traffic (see
 * {@code dev.cnai.promotion}). See {@code docs/registry.md}.
 */
package dev.cnai.cli.models;
