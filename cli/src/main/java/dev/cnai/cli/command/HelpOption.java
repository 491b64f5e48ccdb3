package dev.cnai.cli.command;

import picocli.CommandLine.Option;

/** {@code -h}/{@code --help} of every cnai command, as a picocli mixin. */
public final class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;
}
