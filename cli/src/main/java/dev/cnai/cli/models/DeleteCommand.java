package dev.cnai.cli.models;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cnai models delete VERSION}: deletes a version; the registry refuses one an alias points at. */
@Command(name = "delete", usageHelpAutoWidth = false,
        description = "Delete a version; refused while an alias points at it.")
final class DeleteCommand extends ModelsCommand.Verb {
    @Parameters(paramLabel = "VERSION", description = "the version to delete, such as v2")
    String version;

    @Override
    void run(ModelsCommand.Context c) {
        c.registry().delete(c.name(), version);
        c.out().println("deleted " + c.registry().reference(c.name(), version));
    }
}
