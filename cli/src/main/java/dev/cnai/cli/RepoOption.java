package dev.cnai.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --repo DIR}, shared by the commands that start a local stack from the repository's build outputs. */
final class RepoOption {
    @Option(names = "--repo", paramLabel = "DIR", defaultValue = "${sys:cnai.repo:-.}",
            description = "repository root with the built modules (default: system property cnai.repo, else .; "
                    + "the scripts pass theirs)")
    String repo;

    Path path() {
        return Path.of(repo).toAbsolutePath().normalize();
    }
}
