/**
 * The {@code cnai} command line ({@link Cnai}): {@code cnai local} starts the broker and the five functions as
 * processes on one machine and follows a run ({@link RunWatcher}); it is also the end-to-end test's way of
 * running the stack. {@code cnai soak} ({@link Soak}) runs many training runs and an inference load through one
 * stack and checks that nothing grows per run. {@code cnai models} is in {@code dev.cnai.cli.models}.
 */
package dev.cnai.cli;
