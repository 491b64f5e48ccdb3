package dev.cnai.broker;

/** Wrong command-line arguments (exit {@link CommandSetup#EXIT_USAGE}). */
public final class UsageException extends RuntimeException {
    /** A message a person can act on. */
    public UsageException(String message) {
        super(message);
    }
}
