/**
 * The {@code cnai} command line ({@link Cnai}, picocli: one {@code @Command} class per command). {@code cnai local}
 * ({@link LocalCommand}) starts the broker and the five functions as processes on one machine and follows a run
 * ({@link RunWatcher}, which binds the events to their records); it is also the end-to-end test's way of running
 * the stack. {@link RunOptions} is the one class that turns options into the typed {@code RunRequested}.
 * {@code cnai soak} ({@link Soak}) runs many training runs and an inference load through one stack and checks that
 * nothing grows per run. {@code cnai models} is in {@code dev.cnai.cli.models}; how every command line is set up
 * (converters, usage errors) is in {@code dev.cnai.cli.command}.
 */
package dev.cnai.cli;
