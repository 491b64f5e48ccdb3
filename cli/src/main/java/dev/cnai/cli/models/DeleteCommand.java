package dev.cnai.cli.models;

/** {@code cnai models delete VERSION}: deletes a version; the registry refuses one an alias points at. */
final class DeleteCommand implements ModelsCommand.Command {
    @Override
    public void run(ModelsCommand.Context c) {
        String version = c.args().get(0);
        c.registry().delete(c.name(), version);
        c.out().println("deleted " + c.registry().reference(c.name(), version));
    }

    @Override
    public int minArgs() {
        return 1;
    }

    @Override
    public int maxArgs() {
        return 1;
    }

    @Override
    public String usage() {
        return "one version";
    }
}
