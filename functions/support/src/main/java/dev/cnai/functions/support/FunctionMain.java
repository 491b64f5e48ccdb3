package dev.cnai.functions.support;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The entry point of every function: starts {@link StartupWarmer} on a spare core, then boots Quarkus as its
 * generated main would. A scaled-to-zero function is started for the request that woke it, so what its start-up does
 * on one thread while a second core idles is time that request waits.
 */
@QuarkusMain
public final class FunctionMain {
    private FunctionMain() {
    }

    public static void main(String... args) {
        StartupWarmer.startIfUseful();
        Quarkus.run(args);
    }
}
