/**
 * How every {@code cnai} command line is configured ({@link CommandLines}): value converters with messages that
 * name the option, and usage errors answered in one line with exit status 2.
 */
package dev.cnai.cli.command;
